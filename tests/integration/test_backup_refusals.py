"""What `crossdock restore` refuses, leaving the target empty: a file altered,
cut, reordered or opened with other keys, a backup of the other database
kind, a schema newer than the code, an older one without --migrate; key
rotation still opens older backups. Scheduled backups keep the newest KEEP.
Uninstall backups travel in the same envelope. (The envelope and the checks
are the same on both databases; the drill runs on both.)"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from core import migrate
from core.addons.discovery import discover, migration_dirs
from core.backup import envelope, schedule
from core.backup.envelope import BackupError
from core.backup.restore import restore_backup
from core.backup.take import take_backup
from core.db import db
from tests.conftest import EXAMPLE_ADDONS
from tests.conftest import test_settings as settings_of
from tests.sqlite_only import sqlite_database_url  # noqa: F401

pytestmark = pytest.mark.addons("contacts")
PREVIOUS = "0007_contacts_search_words"  # the contacts revision before its head
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def settings(tmp_path, url, *keys, **overrides):
    return settings_of(tmp_path / "instance", url, secrets_keys=keys or (OLD_KEY,), **overrides)


def target(tmp_path):
    return tmp_path / "target" / "crossdock.sqlite"


def refused(tmp_path, backup, *keys, migrate=False):
    """The refusal's message; the target stays absent."""
    url = f"sqlite:///{target(tmp_path)}"
    with pytest.raises(BackupError) as caught:
        restore_backup(settings(tmp_path, url, *keys), backup, migrate=migrate)
    assert not target(tmp_path).exists()
    return str(caught.value)


def test_altered_cut_reordered_or_foreign_key_files_are_refused(app, database_url, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(envelope, "CHUNK_BYTES", 64 * 1024)  # several chunks
    backup = take_backup(settings(tmp_path, database_url), tmp_path / "b.backup")
    data = backup.read_bytes()
    header_end = data.index(b"\n", len(envelope.MAGIC)) + 1
    first = data.index(b"\n", header_end) + 1  # the first chunk
    length = int.from_bytes(data[first:first + 4], "big")
    second = first + 4 + length

    def variant(name, content):
        path = tmp_path / name
        path.write_bytes(content)
        return path

    flipped = bytearray(data)
    flipped[-10] ^= 1
    assert "altered or cut" in refused(tmp_path, variant("flip", bytes(flipped)))
    assert "header was altered" in refused(tmp_path, variant("header", data.replace(
        b'"database": "sqlite"', b'"database": "sqlite" ', 1)))
    assert "truncated (chunk 1 missing)" in refused(tmp_path, variant("cut", data[:second]))
    assert "altered or cut" in refused(tmp_path, variant("cut-inside", data[:-100]))
    length2 = int.from_bytes(data[second:second + 4], "big")
    third = second + 4 + length2
    swapped = data[:first] + data[second:third] + data[first:second] + data[third:]
    assert "out of place" in refused(tmp_path, variant("swap", swapped))
    assert "cannot be opened with this instance's keys" in refused(tmp_path, backup, NEW_KEY)

    # rotation: the new key first, the old one still held, opens it
    url = f"sqlite:///{target(tmp_path)}"
    restore_backup(settings(tmp_path, url, NEW_KEY, OLD_KEY), backup)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM crossdock_addon WHERE name = 'contacts'"))
    engine.dispose()
    assert "is not empty: it holds" in str(pytest.raises(BackupError, restore_backup, settings(
        tmp_path, url, NEW_KEY, OLD_KEY), backup).value)


def test_other_kind_newer_schema_and_older_schema(app, database_url, tmp_path):
    with app.app_context():
        head = db.session.scalar(text(
            "SELECT version_num FROM alembic_version WHERE version_num LIKE '%contacts%'"))
        db.session.remove()
    source = tmp_path / "source.sqlite"
    shutil.copyfile(database_url.removeprefix("sqlite:///"), source)
    engine = create_engine(f"sqlite:///{source}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future' "
                          "WHERE version_num = :h"), {"h": head})
    engine.dispose()
    newer = take_backup(settings(tmp_path, f"sqlite:///{source}"), tmp_path / "newer.backup")
    assert "revision(s) this code does not know: 9999_future" in refused(tmp_path, newer)

    # says it is one behind while its tables are current: the migration fails, nothing stays
    engine = create_engine(f"sqlite:///{source}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :h "
                          "WHERE version_num = '9999_future'"), {"h": PREVIOUS})
    engine.dispose()
    lying = take_backup(settings(tmp_path, f"sqlite:///{source}"), tmp_path / "lying.backup")
    assert "migrating the restored database failed" in refused(tmp_path, lying, migrate=True)
    assert list(target(tmp_path).parent.iterdir()) == []

    # a backup of PostgreSQL, offered to SQLite
    header, _sealed = envelope.open_backup(newer, envelope_ring())
    postgres = envelope.write(tmp_path / "pg.backup", {**header, "database": "postgresql"},
                              newer, envelope_ring())
    assert "is a backup of a postgresql database" in refused(tmp_path, postgres)

    # one migration behind on the contacts branch
    addon_dirs = migration_dirs(discover((EXAMPLE_ADDONS,)))
    with app.app_context():
        with db.engine.begin() as conn:
            command.downgrade(migrate.alembic_config(addon_dirs, conn), "contacts@-1")
        db.session.remove()
        db.engine.dispose()
    older = take_backup(settings(tmp_path, database_url), tmp_path / "older.backup")
    assert "older than this code (contacts): restore with --migrate" in refused(tmp_path, older)
    url = f"sqlite:///{target(tmp_path)}"
    done = restore_backup(settings(tmp_path, url), older, migrate=True)
    assert done.migrated == ["contacts"]
    engine = create_engine(url)
    with engine.connect() as conn:
        assert migrate.branch_is_current(conn, "contacts", addon_dirs)
        assert "contacts_external_id" in inspect(conn).get_table_names()
    engine.dispose()


def envelope_ring():
    from core.security.secrets import key_ring

    return key_ring((OLD_KEY,), "unused")


def test_scheduled_backups_keep_the_newest(make_app, tmp_path):
    from connectors.hub.scheduler import Scheduler

    folder = tmp_path / "backups"
    folder.mkdir()
    two_days_ago = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
    for day in ("20261101", "20261102", "20261103"):
        old = folder / f"crossdock-{day}-010000-000000.backup"
        old.write_bytes(b"an older backup")
        os.utime(old, (two_days_ago, two_days_ago))
    app = make_app(secrets_keys=(OLD_KEY,), backup_dir=str(folder), backup_every_hours=24.0,
                   backup_keep=2)
    scheduler = Scheduler(app.extensions["hub"], "backups")
    assert scheduler.tick()["tasks"]["hub.scheduled_backup"] == "backup started"
    schedule._running.join(timeout=60)
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2 and kept[0] == "crossdock-20261103-010000-000000.backup"
    assert re.fullmatch(r"crossdock-\d{8}-\d{6}-\d{6}\.backup", kept[1])
    assert envelope.open_backup(folder / kept[1], envelope_ring())[0]["content"] == "database"
    scheduler._last_pull.clear()  # asked again at once: the new backup is recent
    assert scheduler.tick()["tasks"]["hub.scheduled_backup"] == "nothing to do"


def test_uninstall_backups_are_sealed_too(app, tmp_path):
    from addons.contacts.models import Company
    from core.addons import lifecycle
    from core.addons.backup import read_backup

    with app.app_context():
        db.session.add(Company(name="Unmistakable Trading Co"))
        db.session.commit()
        _removed, backup = lifecycle.uninstall(db.session, app.extensions["crossdock"].runtime,
                                               ["contacts"], tmp_path / "backups")
        data = backup.read_bytes()
        assert data.startswith(envelope.MAGIC) and b"Unmistakable" not in data
        rows = read_backup(backup)
        assert {"table": "contacts_company"}.items() <= next(
            r for r in rows if r["row"].get("name") == "Unmistakable Trading Co").items()
        cut = tmp_path / "cut.backup"
        cut.write_bytes(data[:-50])
        with pytest.raises(BackupError, match="altered or cut"):
            read_backup(cut)
