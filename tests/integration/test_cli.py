"""The `crossdock` command as an operator uses it: real processes, exit codes, messages."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.helpers import run_cli


def _snapshot(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT name, state FROM crossdock_addon ORDER BY name")).all()
        version = conn.execute(text("SELECT version FROM crossdock_addon_registry")).all()
    engine.dispose()
    return rows, version


def test_install_list_uninstall(tmp_path, database_url):
    out = run_cli(tmp_path, database_url, "addons", "install", "example_notes")
    assert out.returncode == 0, out.stderr
    assert "installed: example_notes" in out.stdout
    listing = run_cli(tmp_path, database_url, "addons", "list").stdout
    assert any(line.split()[:2] == ["example_notes", "installed"] for line in listing.splitlines())
    assert "broken" in listing and "dependency cycle" in listing

    refused = run_cli(tmp_path, database_url, "addons", "uninstall", "example_notes", stdin="n\n")
    assert refused.returncode == 2 and "drops table example_note (0 rows)" in refused.stdout
    done = run_cli(tmp_path, database_url, "addons", "uninstall", "example_notes", "--yes")
    assert done.returncode == 0, done.stderr
    assert "backup: " in done.stdout


def test_refusals_exit_2_and_leave_the_database_alone(tmp_path, database_url):
    assert run_cli(tmp_path, database_url, "addons", "install", "example_notes").returncode == 0
    before = _snapshot(database_url)
    for args, message in [
        (("addons", "install", "no_such_addon"), "unknown addon(s): no_such_addon"),
        (("addons", "install", "cycle_a"), "dependency cycle"),
        (("addons", "install", "missing_dep"), "not_on_disk"),
        (("addons", "install", "bad_migration"), "nothing was changed"),
        (("addons", "uninstall", "cycle_b", "--yes"), "not installed"),
    ]:
        out = run_cli(tmp_path, database_url, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr
    assert _snapshot(database_url) == before


def test_user_create_and_db_upgrade(tmp_path, sqlite_url):
    out = run_cli(tmp_path, sqlite_url, "user", "create", "--username", "li.wei",
               "--email", "li.wei@example.cn", "--role", "Salesperson",
               "--password", "pw-12345678")
    assert out.returncode == 0, out.stderr
    again = run_cli(tmp_path, sqlite_url, "user", "create", "--username", "li.wei",
                 "--email", "x@example.cn", "--password", "pw-12345678")
    assert again.returncode == 2 and "exists already" in again.stderr
    bad_role = run_cli(tmp_path, sqlite_url, "user", "create", "--username", "x",
                    "--email", "y@example.cn", "--role", "Pope", "--password", "pw-12345678")
    assert bad_role.returncode == 2 and "unknown role 'Pope'" in bad_role.stderr
    up = run_cli(tmp_path, sqlite_url, "db", "upgrade")
    assert up.returncode == 0 and "addons upgraded: none" in up.stdout
