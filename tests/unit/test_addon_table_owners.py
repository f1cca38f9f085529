"""An addon owns the tables its migrations create, whoever imported its models
first: its uninstall backs up and drops exactly those. (The loader once learnt
them from what its own import added to the metadata, so a worker that had
imported sales' models earlier uninstalled sales with no backup at all.)"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import addons.sales.models, addons.contacts.models  # before any app or loader
from flask_appbuilder import Model
from core.addons.loader import tables_defined_by
owned = {n: tables_defined_by("addons." + n) for n in ("sales", "contacts")}
print(json.dumps({**owned, "all": sorted(Model.metadata.tables)}))
"""


@pytest.fixture(scope="module")
def owned() -> dict[str, list[str]]:
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("addon", ["sales", "contacts"])
def test_an_addon_owns_its_tables_even_if_its_models_were_imported_early(owned, addon):
    # an addon's tables are named after it (lifecycle.orphan_tables relies on it too)
    assert owned[addon] == [t for t in owned["all"] if t.startswith(addon + "_")]


def test_a_platform_table_an_addon_imports_is_not_the_addons(owned):
    # sales imports the platform's team membership table to read teams
    assert "crossdock_team_member" not in owned["sales"]
    assert not set(owned["sales"]) & set(owned["contacts"])
