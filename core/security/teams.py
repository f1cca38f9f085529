"""Sales teams: the unit of the "own team" record-rule scope."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Integer, String, Table, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

team_member = Table(
    "crossdock_team_member",
    Model.metadata,
    Column("team_id", Integer, ForeignKey("crossdock_team.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class Team(Model):
    __tablename__ = "crossdock_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    # loaded when read: a team named on a page (a company's, a filter's) needs no members
    members = relationship("User", secondary=team_member)

    def __repr__(self) -> str:
        return self.name


def user_team_ids(session: Session, user_id: int) -> frozenset[int]:
    rows = session.execute(
        select(team_member.c.team_id).where(team_member.c.user_id == user_id),
        execution_options={"skip_record_rules": True},
    )
    return frozenset(r[0] for r in rows)


def teams_and_teammates(session: Session, user_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """The user's teams and everyone in them (the user included, when in a
    team), in one query: the record rules ask it on every request."""
    mine, mates = team_member.alias("mine"), team_member.alias("mates")
    rows = session.execute(
        select(mine.c.team_id, mates.c.user_id)
        .join(mates, mates.c.team_id == mine.c.team_id).where(mine.c.user_id == user_id),
        execution_options={"skip_record_rules": True},
    ).all()
    return frozenset(r[0] for r in rows), frozenset(r[1] for r in rows)


def teammate_ids(session: Session, team_ids: frozenset[int]) -> frozenset[int]:
    if not team_ids:
        return frozenset()
    rows = session.execute(
        select(team_member.c.user_id).where(team_member.c.team_id.in_(team_ids)),
        execution_options={"skip_record_rules": True},
    )
    return frozenset(r[0] for r in rows)
