"""What an addon developer outside the checkout does, with real processes:
`crossdock addons new` -> install -> the scaffold's own test under the pytest
plugin -> a new column -> `addons revision` -> upgrade -> uninstall.

SQLite only: the commands are the same on PostgreSQL, and the plugin's
PostgreSQL variant is what the scaffold's test deselects here (`-m`).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.live_server import REPO, crossdock_command

MODEL_FILE = Path("visits/models/visit.py")


def _env(instance: Path, database_url: str, ext: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(instance), CROSSDOCK_DATABASE_URL=database_url,
               CROSSDOCK_ADDONS_PATH=str(ext), CROSSDOCK_PASSWORD_HASH="pbkdf2:sha256:1000",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    return env


def _schema(database_url: str) -> tuple[dict[str, list[str]], list[str]]:
    """visits' tables with their columns, and the stored Alembic heads."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            tables = {t: [c["name"] for c in inspector.get_columns(t)]
                      for t in inspector.get_table_names() if t.startswith("visits")}
            heads = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    return tables, heads


def _operations(migration: str, function: str) -> list[str]:
    """The op/batch_op calls in one function of a migration file, e.g. `add_column('x'`."""
    body = migration.split(f"def {function}()", 1)[1].split("\ndef ", 1)[0]
    return re.findall(r"(?:batch_op|op)\.(\w+\(.*?)(?:,|\)$)", body, re.MULTILINE)


def test_scaffold_install_test_revise_upgrade_uninstall(tmp_path, sqlite_templates):
    ext, instance = tmp_path / "ext", tmp_path / "instance"
    database = tmp_path / "crossdock.sqlite"
    shutil.copyfile(sqlite_templates.get(()), database)  # a fresh instance: platform only
    url = f"sqlite:///{database}"
    env = _env(instance, url, ext)

    def crossdock(*args):
        return subprocess.run([*crossdock_command(), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180)

    made = crossdock("addons", "new", "visits", "--path", str(ext), "--depends", "contacts")
    assert made.returncode == 0, made.stderr
    folder = ext / "visits"
    first = (folder / "migrations" / "0001_visits.py").read_text()
    assert "depends_on = '0" in first and "branch_labels = ('visits',)" in first
    assert (folder / "i18n/zh/LC_MESSAGES/messages.mo").stat().st_size > 0
    rules = (folder / "security" / "record_rules.py").read_text()
    assert "RULES = [" in rules and 'RecordRule(Visit, "Support Agent"' in rules

    not_yet = crossdock("addons", "revision", "visits", "-m", "too early")
    assert not_yet.returncode == 2 and "not installed" in not_yet.stderr

    installed = crossdock("addons", "install", "visits")
    assert installed.returncode == 0, installed.stderr
    assert "installed: contacts, visits" in installed.stdout
    assert "visits_visit" in _schema(url)[0]

    # the scaffold's test, run the way its developer runs it (plugin, no conftest)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "core.testing.plugin", "-m", "not postgres", str(folder / "tests")],
        cwd=tmp_path, env={k: v for k, v in env.items() if k != "CROSSDOCK_ADDONS_PATH"},
        capture_output=True, text=True, timeout=300)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout  # its record rules: scopes and an expression

    model = ext / MODEL_FILE
    source = model.read_text()
    source = source.replace("from sqlalchemy import ", "from sqlalchemy import Date, ")
    source = source.replace("    notes: Mapped[str | None] = mapped_column(Text)\n",
                            "    notes: Mapped[str | None] = mapped_column(Text)\n"
                            "    visited_on = mapped_column(Date)\n")
    model.write_text(source)
    revised = crossdock("addons", "revision", "visits", "-m", "Visit date")
    assert revised.returncode == 0, revised.stderr
    new = sorted((folder / "migrations").glob("0002_*.py"))
    assert [p.name for p in new] == ["0002_visits_visit_date.py"]
    migration = new[0].read_text()
    # only the new column: none of contacts' full-text tables, nothing of the platform's
    assert _operations(migration, "upgrade") == ["batch_alter_table('visits_visit'",
                                                 "add_column(sa.Column('visited_on'"]
    assert _operations(migration, "downgrade") == ["batch_alter_table('visits_visit'",
                                                   "drop_column('visited_on'"]
    assert "down_revision = '0001_visits'" in migration
    assert re.search(r"^depends_on = '0\d+_contacts\w*'$", migration, re.MULTILINE)

    before = crossdock("addons", "revision", "visits", "-m", "again")
    assert before.returncode == 2 and "not at head for addon 'visits'" in before.stderr
    manifest = folder / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"1.0.0"', '"1.1.0"'))
    upgraded = crossdock("addons", "upgrade")
    assert upgraded.returncode == 0 and "upgraded: visits" in upgraded.stdout, upgraded.stderr
    assert "visited_on" in _schema(url)[0]["visits_visit"]
    unchanged = crossdock("addons", "revision", "visits", "-m", "again")
    assert unchanged.returncode == 2 and "no changes" in unchanged.stderr

    removed = crossdock("addons", "uninstall", "visits", "--yes")
    assert removed.returncode == 0, removed.stderr
    tables, heads = _schema(url)
    assert tables == {}
    assert not [h for h in heads if "visits" in h]
