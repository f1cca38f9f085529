"""`crossdock contacts export-personal-data` and `erase-personal-data`, as an
operator runs them: the ZIP written, what each addon did printed, the audit
log naming the operator. SQLite only: the storage side runs on both
databases in test_contacts_personal_data.py."""
from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import run_cli
from tests.personal_data_world import ADDONS, NAME, world_fixture  # noqa: F401
from tests.sqlite_only import sqlite_database_url  # noqa: F401

pytestmark = pytest.mark.addons(*ADDONS)


def test_the_commands_export_and_erase(app, world, tmp_path, database_url):
    out = tmp_path / "yuxin.zip"
    done = run_cli(tmp_path, database_url, "contacts", "export-personal-data",
                   str(world["person"]), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(zipfile.ZipFile(out).read("contacts/person.json"))[0]["name"] == NAME
    done = run_cli(tmp_path, database_url, "contacts", "erase-personal-data",
                   str(world["person"]), "--yes")
    assert done.returncode == 0, done.stderr
    assert f"will erase the personal data of person #{world['person']} ({NAME})" in done.stdout
    assert "invoicing_link: invoices: kept 1 (tax and accounting law" in done.stdout
    with app.app_context():
        from core.security.audit import AuditLog

        actors = db.session.scalars(select(AuditLog.actor).where(AuditLog.action.in_(
            ("export_personal_data", "erase_personal_data"))).order_by(AuditLog.id)).all()
        assert len(actors) == 2 and all(a.startswith("system (") for a in actors)
