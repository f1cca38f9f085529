"""An installed addon whose code is gone (folder deleted, package uninstalled, not
importable) leaves a host and a CLI that start; it is listed as missing and can
still be uninstalled."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import create_engine, inspect, text

from core.addons import lifecycle
from core.addons.models import AddonModule
from core.db import db
from core.views.modules import module_rows
from tests.helpers import CROSSDOCK, add_user, login


def _write_addon(root, name="vanishing"):
    addon = root / name
    (addon / "migrations").mkdir(parents=True)
    (addon / "__init__.py").write_text('"""An addon whose code will be removed."""\n')
    (addon / "__manifest__.py").write_text(
        f'{{"name": "{name}", "version": "1.0.0", "summary": "Goes away"}}\n')
    (addon / "migrations" / "0001_base.py").write_text(textwrap.dedent(f'''
        from alembic import op
        import sqlalchemy as sa
        revision = "0001_{name}"
        down_revision = None
        branch_labels = ("{name}",)
        depends_on = None
        def upgrade():
            op.create_table("{name}_item", sa.Column("id", sa.Integer, primary_key=True))
        def downgrade():
            op.drop_table("{name}_item")
    '''))
    return root


def _cli(tmp_path, database_url, addons_root, *args):
    env = {**os.environ, "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
           "CROSSDOCK_DATABASE_URL": database_url, "CROSSDOCK_ADDONS_PATH": str(addons_root)}
    return subprocess.run([CROSSDOCK, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _tables_and_versions(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        versions = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return tables, versions


def _install_then_remove_code(make_app, root, forget_scripts=False):
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["vanishing"])
        if forget_scripts:  # as if installed before the host kept a copy of them
            db.session.execute(text("DELETE FROM crossdock_addon_script"))
            db.session.commit()
    shutil.rmtree(root / "vanishing")


def test_host_starts_lists_missing_and_uninstall_drops_its_tables(make_app, tmp_path,
                                                                  database_url):
    root = _write_addon(tmp_path / "addons")
    _install_then_remove_code(make_app, root)

    app = make_app(addons_paths=(root,))  # failed before: Can't locate revision '0001_vanishing'
    with app.test_request_context():
        row = next(r for r in module_rows() if r.name == "vanishing")
        assert (row.state, row.installed_version) == ("missing", "1.0.0")
        assert "code is not found" in row.error
        runtime = app.extensions["crossdock"].runtime
        for operation in (lifecycle.disable, lifecycle.upgrade):
            with pytest.raises(lifecycle.LifecycleError, match="vanishing missing: installed, "
                               "but the code is not on disk"):
                operation(db.session, runtime, ["vanishing"])
    assert app.test_client().get("/api/v1/vanishing/").status_code == 404

    listing = _cli(tmp_path, database_url, root, "addons", "list")
    assert listing.returncode == 0, listing.stderr
    assert any(line.split()[:2] == ["vanishing", "missing"]
               for line in listing.stdout.splitlines())

    done = _cli(tmp_path, database_url, root, "addons", "uninstall", "vanishing", "--yes")
    assert done.returncode == 0, done.stderr
    assert "drops table vanishing_item (0 rows)" in done.stdout
    tables, versions = _tables_and_versions(database_url)
    assert "vanishing_item" not in tables and "0001_vanishing" not in versions
    with make_app(addons_paths=(root,)).app_context():
        assert db.session.get(AddonModule, "vanishing").state == "uninstalled"


def test_without_kept_scripts_uninstall_needs_force_and_says_what_stays(
        make_app, tmp_path, database_url):
    root = _write_addon(tmp_path / "addons")
    _install_then_remove_code(make_app, root, forget_scripts=True)

    app = make_app(addons_paths=(root,))  # starts: the unknown revision gets a stub
    with app.test_request_context():
        assert next(r for r in module_rows() if r.name == "vanishing").state == "missing"
    add_user(app, "boss", ["Admin"])
    admin = app.test_client()
    login(admin, "boss")
    confirm = admin.get("/modules/uninstall/vanishing").get_data(as_text=True)
    assert 'id="uninstall-missing"' in confirm and "use --force" in confirm

    refused = _cli(tmp_path, database_url, root, "addons", "uninstall", "vanishing", "--yes")
    assert refused.returncode == 2
    assert ("addon 'vanishing' is missing (its code is not on disk) and its migration "
            "scripts were not kept") in refused.stderr
    assert "--force" in refused.stderr and "vanishing_item" in refused.stderr
    assert "0001_vanishing" in refused.stderr

    forced = _cli(tmp_path, database_url, root, "addons", "uninstall", "vanishing", "--yes",
                  "--force")
    assert forced.returncode == 0, forced.stderr
    assert "leaving tables vanishing_item" in forced.stdout
    tables, versions = _tables_and_versions(database_url)
    assert "vanishing_item" in tables  # said so: left behind
    assert "0001_vanishing" not in versions  # the host no longer needs a stub
    assert _cli(tmp_path, database_url, root, "addons", "list").returncode == 0


def test_an_installed_addon_that_no_longer_imports_can_be_uninstalled(make_app, tmp_path):
    root = _write_addon(tmp_path / "addons", name="fragile")
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["fragile"])
    (root / "fragile" / "__init__.py").write_text("raise ImportError('a dependency went')\n")
    sys.modules.pop("fragile", None)  # a new process would import it afresh

    app = make_app(addons_paths=(root,))
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        assert "a dependency went" in runtime.broken["fragile"]
        removed, _ = lifecycle.uninstall(db.session, runtime, ["fragile"], tmp_path / "b")
        assert removed == ["fragile"]
        assert "fragile_item" not in inspect(db.engine).get_table_names()
