"""`crossdock teams ...` as an operator uses it: exit codes, messages, and
the audit log. The first and last commands run as real processes; the ones
between run the same command in this process on the test's app (a process
costs ~3 s of start-up, and what it adds, the exit code, the first shows)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from core import cli
from tests.helpers import add_user, run_cli

pytestmark = pytest.mark.addons("contacts")


def sql(database_url, statement, **params):
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def test_teams_add_members_rename_and_delete(app, tmp_path, database_url, monkeypatch):
    add_user(app, "sam", ["Salesperson"])
    monkeypatch.setattr(cli, "_app", lambda: app)

    def teams(*args, status=0):
        out = CliRunner().invoke(cli.main, ["teams", *args])
        assert out.exit_code == status, (args, out.output, out.exception)
        return out.stdout if status == 0 else out.stderr

    def process(*args, status=0):
        out = run_cli(tmp_path, database_url, "teams", *args)
        assert out.returncode == status, (args, out.stdout, out.stderr)
        return out.stdout if status == 0 else out.stderr

    assert "no teams" in process("list")
    assert teams("add", "North") == "added team North\n"
    assert "team 'North' exists already" in process("add", "North", status=2)
    assert teams("add-member", "North", "sam") == "added sam to team North\n"
    # again, in other case: nothing to do, and nothing audited
    assert "already in team North" in teams("add-member", "North", "SAM")
    assert "no user 'nobody'" in teams("add-member", "North", "nobody", status=2)
    assert "no team 'South' (teams: North)" in teams("add-member", "South", "sam", status=2)
    assert teams("list").split() == ["North", "sam"]

    assert teams("rename", "North", "East") == "renamed team North to East\n"
    assert "no team 'North'" in teams("rename", "North", "West", status=2)
    [(team_id,)] = sql(database_url, "SELECT id FROM crossdock_team WHERE name = 'East'")
    sql(database_url, "INSERT INTO contacts_company (name, team_id, active) "
                      "VALUES ('Acme', :team, :yes)", team=team_id, yes=True)
    refused = teams("delete", "East", status=2)
    assert "team 'East' is assigned to 1 row(s) of contacts_company (team_id)" in refused
    sql(database_url, "UPDATE contacts_company SET team_id = NULL")

    assert teams("remove-member", "East", "sam") == "removed sam from team East\n"
    assert "sam is not in team East" in teams("remove-member", "East", "sam")
    assert teams("delete", "East") == "deleted team East\n"
    assert "no teams" in process("list")

    events = sql(database_url, "SELECT action, changes FROM crossdock_audit_log "
                               "WHERE model = 'Team' ORDER BY id")
    assert [a for a, _c in events] == ["create", "team_member_add", "update",
                                       "team_member_remove", "delete"]
    assert '"user": "sam"' in str(events[1][1]).replace("'", '"')
