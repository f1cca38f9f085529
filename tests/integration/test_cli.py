"""The `crossdock` command as an operator uses it: real processes, exit codes, messages."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import EXAMPLE_ADDONS, TESTS_DIR

CROSSDOCK = str(Path(sys.executable).with_name("crossdock"))


def _cli(tmp_path, database_url, *args, stdin=None):
    env = {**os.environ,
           "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
           "CROSSDOCK_DATABASE_URL": database_url,
           "CROSSDOCK_ADDONS_PATH": os.pathsep.join(
               [str(EXAMPLE_ADDONS), str(TESTS_DIR / "addons_faulty")])}
    return subprocess.run([CROSSDOCK, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def _snapshot(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT name, state FROM crossdock_addon ORDER BY name")).all()
        version = conn.execute(text("SELECT version FROM crossdock_addon_registry")).all()
    engine.dispose()
    return rows, version


def test_install_list_uninstall(tmp_path, database_url):
    out = _cli(tmp_path, database_url, "addons", "install", "example_notes")
    assert out.returncode == 0, out.stderr
    assert "installed: example_notes" in out.stdout
    listing = _cli(tmp_path, database_url, "addons", "list").stdout
    assert any(line.split()[:2] == ["example_notes", "installed"] for line in listing.splitlines())
    assert "broken" in listing and "dependency cycle" in listing

    refused = _cli(tmp_path, database_url, "addons", "uninstall", "example_notes", stdin="n\n")
    assert refused.returncode == 2 and "drops table example_note (0 rows)" in refused.stdout
    done = _cli(tmp_path, database_url, "addons", "uninstall", "example_notes", "--yes")
    assert done.returncode == 0, done.stderr
    assert "backup: " in done.stdout


def test_refusals_exit_2_and_leave_the_database_alone(tmp_path, database_url):
    assert _cli(tmp_path, database_url, "addons", "install", "example_notes").returncode == 0
    before = _snapshot(database_url)
    for args, message in [
        (("addons", "install", "no_such_addon"), "unknown addon(s): no_such_addon"),
        (("addons", "install", "cycle_a"), "dependency cycle"),
        (("addons", "install", "missing_dep"), "not_on_disk"),
        (("addons", "install", "bad_migration"), "nothing was changed"),
        (("addons", "uninstall", "cycle_b", "--yes"), "not installed"),
    ]:
        out = _cli(tmp_path, database_url, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr
    assert _snapshot(database_url) == before


def test_user_create_and_db_upgrade(tmp_path, sqlite_url):
    out = _cli(tmp_path, sqlite_url, "user", "create", "--username", "li.wei",
               "--email", "li.wei@example.cn", "--role", "Salesperson",
               "--password", "pw-12345678")
    assert out.returncode == 0, out.stderr
    again = _cli(tmp_path, sqlite_url, "user", "create", "--username", "li.wei",
                 "--email", "x@example.cn", "--password", "pw-12345678")
    assert again.returncode == 2 and "exists already" in again.stderr
    bad_role = _cli(tmp_path, sqlite_url, "user", "create", "--username", "x",
                    "--email", "y@example.cn", "--role", "Pope", "--password", "pw-12345678")
    assert bad_role.returncode == 2 and "unknown role 'Pope'" in bad_role.stderr
    up = _cli(tmp_path, sqlite_url, "db", "upgrade")
    assert up.returncode == 0 and "addons upgraded: none" in up.stdout
