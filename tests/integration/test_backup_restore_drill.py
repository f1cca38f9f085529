"""The restore drill, on SQLite and on PostgreSQL: an instance with contacts and
sales data is backed up by `crossdock backup` while a writer keeps committing,
rows are changed afterwards, `crossdock restore` fills an empty database, and
every table is compared row by row with the state the backup was taken in."""
from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import MetaData, create_engine, insert, select, text

from core.backup.envelope import BackupError
from core.backup.restore import restore_backup
from core.db import db
from core.testing.plugin import new_pg_database, settings_for
from tests.helpers import run_cli

pytestmark = pytest.mark.addons("sales")
WRITER = "writer-"


def table_rows(url: str) -> dict[str, list[dict]]:
    """Every table's rows, in primary-key order (all columns when it has none)."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {t.name: [dict(r) for r in conn.execute(
                select(t).order_by(*(t.primary_key.columns or t.columns))).mappings()]
                for t in meta.sorted_tables}
    finally:
        engine.dispose()


def keep_writing(url: str, stop: threading.Event, written: list[int]) -> None:
    """Commit a tag and a company named alike, together, until told to stop."""
    engine = create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {})
    meta = MetaData()
    meta.reflect(engine, only=["contacts_tag", "contacts_company"])
    tag, company = meta.tables["contacts_tag"], meta.tables["contacts_company"]
    try:
        while not stop.is_set() and len(written) < 5000:
            n = len(written) + 1
            with engine.begin() as conn:
                conn.execute(insert(tag).values(name=f"{WRITER}{n}"))
                conn.execute(insert(company).values(name=f"{WRITER}{n}", active=True))
            written.append(n)
    finally:
        engine.dispose()


def writer_number(row: dict) -> int | None:
    return int(row["name"][len(WRITER):]) if row["name"].startswith(WRITER) else None


@pytest.fixture
def keys(monkeypatch):
    """The instance's secrets keys, as an operator keeps them apart from the backups."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("CROSSDOCK_SECRETS_KEYS", key)
    return key


def test_backup_while_writing_then_restore_gives_every_row_back(app, database_url, tmp_path,
                                                                   keys, request):
    from addons.contacts.services.load_demo import load_demo
    from addons.sales.services.seeding.load_demo import load_demo as load_sales_demo

    with app.app_context():
        load_demo(db.session, companies=20, people=40)
        load_sales_demo(db.session)
        db.session.commit()
        db.session.remove()
    before = table_rows(database_url)
    assert len(before["contacts_company"]) >= 20 and before["sales_lead"]

    stop, written = threading.Event(), []
    writer = threading.Thread(target=keep_writing, args=(database_url, stop, written))
    writer.start()
    try:
        while len(written) < 20:  # the writer is going before the backup starts
            assert writer.is_alive()
            threading.Event().wait(0.01)
        backup = tmp_path / "drill.backup"
        done = run_cli(tmp_path, database_url, "backup", "--output", str(backup))
    finally:
        stop.set()
        writer.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(written) > 20
    changed = table_rows(database_url)  # the state after the backup, writer rows included
    with app.app_context():  # rows changed after the backup stay out of the restore
        db.session.execute(text("UPDATE contacts_company SET city = 'Changed'"))
        db.session.execute(text(f"DELETE FROM contacts_tag WHERE name LIKE '{WRITER}%'"))
        db.session.commit()
        db.session.remove()

    if database_url.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / 'restored' / 'crossdock.sqlite'}"
    else:
        target = new_pg_database(request.getfixturevalue("pg_admin_url"))
    restored = run_cli(tmp_path / "new", target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    after = table_rows(target)

    # the writer's pairs: the same prefix 1..k in both tables, k between the
    # start of the backup and its end: one consistent moment, nothing torn;
    # every other row as it was then
    tags = {writer_number(r) for r in after["contacts_tag"]} - {None}
    companies = {writer_number(r) for r in after["contacts_company"]} - {None}
    assert tags == companies == set(range(1, len(tags) + 1))
    assert 20 <= len(tags) <= len(written)
    assert set(after) == set(changed)
    # the backup's own record is written when it ends: after its snapshot
    assert [(r["trigger"], r["error"]) for r in changed["crossdock_backup_run"]] == [
        ("command", None)]
    changed["crossdock_backup_run"] = []
    for table, rows in changed.items():
        expected = rows if table not in ("contacts_tag", "contacts_company") else [
            r for r in rows if writer_number(r) in tags | {None}]
        assert after[table] == expected, table
    secret = (tmp_path / "instance" / "secret_key").read_text()
    assert (tmp_path / "new" / "instance" / "secret_key").read_text() == secret

    with pytest.raises(BackupError, match=r"is not empty: it holds \d+ table\(s\) \((public\.)?ab_"):
        restore_backup(settings_for(tmp_path / "new" / "instance", target), backup)

