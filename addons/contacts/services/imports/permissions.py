"""Whether the importer may write a contact with a given owner and team.

The import writes new contacts with bulk INSERTs, which the session's
record-rule check (before_flush) never sees, so the same rule is applied
here to every row before anything is written: the scope comes from
core.security.record_rules (scope_for), the team membership from
core.security.teams, exactly as the flush check reads them.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.security.actor import Actor
from core.security.record_rules import scope_for
from core.security.teams import teammate_ids, user_team_ids


class WriteScope:
    """The importer's write scope on one model (none/own/team/all)."""

    def __init__(self, session: Session, model: type, actor: Actor):
        self.name = scope_for(model, actor, "write")
        self.user_id = actor.user_id
        teams = user_team_ids(session, actor.user_id) if actor.user_id and self.name == "team" \
            else frozenset()
        self.team_ids = teams
        self.mates = teammate_ids(session, teams) | ({actor.user_id} if actor.user_id else set())

    def allows(self, owner_id: int | None, team_id: int | None) -> bool:
        if self.name == "all":
            return True
        if self.name == "own":
            return self.user_id is not None and owner_id == self.user_id
        if self.name == "team":
            return owner_id in self.mates or (team_id is not None and team_id in self.team_ids)
        return False
