"""Backups an Admin can see: every backup taken is listed (Settings > Backups)
with its file and size, a failed one with its reason; the start page says when
the last good backup was and flags a failure or none at all; /metrics gives
the last success time for an alert."""
from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from connectors.hub.scheduler import Scheduler
from core.backup import schedule
from core.backup.history import BackupRun
from core.db import db
from tests.helpers import add_user, login
from tests.sqlite_only import sqlite_database_url  # noqa: F401

KEY = Fernet.generate_key().decode()


def _scheduled_backup(app) -> None:
    scheduler = Scheduler(app.extensions["hub"], "backups")
    assert scheduler.tick()["tasks"]["hub.scheduled_backup"] == "backup started"
    schedule._running.join(timeout=120)


def _runs(app) -> list[BackupRun]:
    with app.app_context():
        runs = list(db.session.scalars(select(BackupRun).order_by(BackupRun.id)))
        db.session.expunge_all()
        return runs


def _metric(client, name) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))


def _home(client) -> str:
    return client.get("/").get_data(as_text=True)


@pytest.fixture
def admin_and_clerk(make_app, tmp_path, request):
    def build(backup_dir):
        app = make_app(secrets_keys=(KEY,), backup_dir=str(backup_dir), backup_every_hours=24.0)
        add_user(app, "admin1", ["Admin"])
        add_user(app, "sales1", ["Salesperson"])
        admin, clerk = app.test_client(), app.test_client()
        login(admin, "admin1")
        login(clerk, "sales1")
        return app, admin, clerk
    return build


def test_a_good_backup_is_listed_and_dated(admin_and_clerk, tmp_path):
    app, admin, clerk = admin_and_clerk(tmp_path / "backups")
    assert "Last good backup" in _home(admin) and "none" in _home(admin)  # planned, none yet
    assert _metric(admin, "crossdock_backup_last_success_timestamp_seconds") == 0

    _scheduled_backup(app)
    [run] = _runs(app)
    written = sorted((tmp_path / "backups").glob("crossdock-*.backup"))
    assert [run.path] == [str(p) for p in written]
    assert (run.trigger, run.error, run.size_bytes) == ("schedule", None, written[0].stat().st_size)
    listing = admin.get("/backuprunview/list/").get_data(as_text=True)
    assert written[0].name in listing
    assert "0 h ago" in _home(admin)
    assert _metric(admin, "crossdock_backup_last_success_timestamp_seconds") > 0
    assert _metric(admin, "crossdock_backup_last_run_failed") == 0
    # a salesperson sees neither the screen nor the tile
    assert clerk.get("/backuprunview/list/").status_code in (302, 403)
    assert "Last good backup" not in _home(clerk)


def test_a_failed_backup_says_why_on_the_start_page(admin_and_clerk, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("the backup folder's parent is a file")
    app, admin, _ = admin_and_clerk(not_a_folder / "backups")
    _scheduled_backup(app)
    [run] = _runs(app)
    assert run.size_bytes is None and "Not a directory" in run.error
    home = _home(admin)
    assert "The last backup failed" in home and "Not a directory" in home
    assert _metric(admin, "crossdock_backup_last_run_failed") == 1
    assert "Not a directory" in admin.get(f"/backuprunview/show/{run.id}").get_data(as_text=True)
