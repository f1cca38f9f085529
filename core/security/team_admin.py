"""Teams managed by name (`crossdock teams ...`): each operation checks, then
changes the session; the caller commits. Creating, renaming and deleting a
team are audited as changes of the Team row (after_flush); membership, a
collection the row-level log does not see, as `team_member_add` /
`team_member_remove` events naming the team and the user."""
from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ..addons.model_extension import is_hidden_column
from .audit import record_event
from .teams import Team, team_member


class TeamError(ValueError):
    """Nothing changed; the message names the team or user and why."""


def teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def find_team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        known = ", ".join(t.name for t in teams(session)) or "none yet"
        raise TeamError(f"no team '{name}' (teams: {known})")
    return team


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise TeamError(f"no user '{username}' (see 'crossdock user create')")
    return user


def _free_name(session: Session, name: str) -> str:
    name = name.strip()
    if not name:
        raise TeamError("a team needs a name")
    if len(name) > Team.name.type.length:
        raise TeamError(f"team name longer than {Team.name.type.length} characters")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise TeamError(f"team '{name}' exists already")
    return name


def add_team(session: Session, name: str) -> Team:
    team = Team(name=_free_name(session, name))
    session.add(team)
    session.flush()
    return team


def rename_team(session: Session, name: str, new_name: str) -> Team:
    team = find_team(session, name)
    team.name = _free_name(session, new_name)
    session.flush()
    return team


def delete_team(session: Session, name: str) -> None:
    """Refused while records are assigned to the team (their team would vanish)."""
    team = find_team(session, name)
    used = [f"{n} row(s) of {t} ({c})" for t, c, n in assigned_rows_of(session, team) if n]
    if used:
        raise TeamError(f"team '{name}' is assigned to {', '.join(used)}: "
                        "reassign them first")
    session.delete(team)
    session.flush()


def assigned_rows_of(session: Session, team: Team) -> list[tuple[str, str, int]]:
    """(table, column, rows) assigned to `team`, for every existing column referring to teams."""
    existing = set(inspect(session.connection()).get_table_names())
    found = []
    for table in Model.metadata.sorted_tables:
        if table is team_member or table.name not in existing:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not Team.__table__ or is_hidden_column(fk.parent):
                continue
            count = session.scalar(select(func.count()).select_from(table)
                                   .where(fk.parent == team.id),
                                   execution_options={"skip_record_rules": True})
            found.append((table.name, fk.parent.name, count))
    return found


def add_member(session: Session, name: str, username: str) -> bool:
    """Put the user in the team; False (nothing done) when already there."""
    team, user = find_team(session, name), _user(session, username)
    if user in team.members:
        return False
    team.members.append(user)
    session.flush()
    record_event(session, "team_member_add", "Team", team.id,
                 {"team": team.name, "user": user.username})
    return True


def remove_member(session: Session, name: str, username: str) -> bool:
    """Take the user out of the team; False (nothing done) when not in it."""
    team, user = find_team(session, name), _user(session, username)
    if user not in team.members:
        return False
    team.members.remove(user)
    session.flush()
    record_event(session, "team_member_remove", "Team", team.id,
                 {"team": team.name, "user": user.username})
    return True
