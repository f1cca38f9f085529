"""`crossdock addons new` refuses names that would not work, saying why, and
writes nothing; a good name gets the files its model name implies."""
from __future__ import annotations

import re

import pytest

from core.devtools.scaffold import ScaffoldError, model_class_name, new_addon
from tests.conftest import EXAMPLE_ADDONS


@pytest.mark.parametrize("name, reason", [
    ("Visits", "not a valid addon name"),
    ("1visits", "not a valid addon name"),
    ("field-visits", "not a valid addon name"),
    ("class", "not a valid addon name"),
    ("sales", "an addon named 'sales' exists already"),
    ("example_notes", "an addon named 'example_notes' exists already"),
    ("json", "importable package"),
    ("flask", "importable package"),
])
def test_bad_names_are_refused_with_the_reason(tmp_path, name, reason):
    with pytest.raises(ScaffoldError, match=reason):
        new_addon(name, tmp_path, [], (EXAMPLE_ADDONS,))
    assert list(tmp_path.iterdir()) == []


def test_unknown_dependency_and_existing_folder_are_refused(tmp_path):
    with pytest.raises(ScaffoldError, match="cannot depend on nosuch: no such addon"):
        new_addon("field_trips", tmp_path, ["nosuch"])
    (tmp_path / "field_trips").mkdir()
    with pytest.raises(ScaffoldError, match="exists already"):
        new_addon("field_trips", tmp_path, [])


def test_model_and_files_follow_the_name(tmp_path):
    assert model_class_name("visits") == "Visit"
    assert model_class_name("service_tickets") == "ServiceTicket"
    assert model_class_name("address") == "Address"
    folder = new_addon("service_tickets", tmp_path, ["sales"])
    assert (folder / "models/service_ticket.py").read_text().count(
        '__tablename__ = "service_tickets_service_ticket"') == 1
    first = (folder / "migrations/0001_service_tickets.py").read_text()
    assert re.search(r"^depends_on = '0\d+_sales\w*'$", first, re.MULTILINE)  # sales' head
    assert (folder / "tests/test_service_tickets.py").is_file()
    assert not (folder / "tests/__init__.py").exists()  # pytest must not import the addon
    assert not list(folder.rglob("*-tpl")) and "{{" not in "".join(
        p.read_text() for p in folder.rglob("*.py"))
