"""Who gets a new ticket of a team (its desk settings' `assignment`):

- round_robin: the team's members in turn (by user id), after the one who got
  the last ticket;
- least_open: the member with the fewest open tickets (not solved, not
  merged), ties broken in round-robin order;
- manual: nobody; the team picks.

Members marked away (DeskAgent.away) and inactive users are skipped. Fair
under concurrency as sales' lead assignment is: the team's desk row is locked
first (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite a no-op UPDATE takes
the database's write lock), and the turn and the open counts are read under
that lock, so two tickets created at once never take the same turn or the
same "least busy" agent from a stale count. Assignment is the system's
decision: written with a Core UPDATE, audited as an `assign` event."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, attributes

from core.security.audit import record_event
from core.security.teams import team_member

from ..models import DeskAgent, DeskTeam, Ticket
from ..models.desk_team import LEAST_OPEN, MANUAL


def _locked_desk(session: Session, team_id: int):
    conn = session.connection()
    t = DeskTeam.__table__
    stmt = select(t.c.id, t.c.assignment, t.c.last_assigned_id).where(t.c.team_id == team_id)
    if conn.dialect.name == "sqlite":
        conn.execute(update(t).where(t.c.team_id == team_id)
                     .values(last_assigned_id=t.c.last_assigned_id))
    else:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).one_or_none()


def _available(session: Session, team_id: int) -> list[int]:
    away = select(DeskAgent.user_id).where(DeskAgent.away)
    return list(session.connection().scalars(
        select(team_member.c.user_id).join(User.__table__, User.__table__.c.id ==
                                           team_member.c.user_id)
        .where(team_member.c.team_id == team_id, User.__table__.c.active.is_(True),
               team_member.c.user_id.not_in(away))
        .order_by(team_member.c.user_id)))


def in_turn(members: list[int], last: int | None) -> list[int]:
    """The members in round-robin order, starting after `last`."""
    later = [m for m in members if last is None or m > last]
    return later + [m for m in members if m not in later]


def _open_counts(session: Session, members: list[int]) -> dict[int, int]:
    t = Ticket.__table__
    rows = session.connection().execute(
        select(t.c.owner_id, func.count()).where(
            t.c.owner_id.in_(members), t.c.solved_at.is_(None), t.c.merged_into_id.is_(None))
        .group_by(t.c.owner_id)).all()
    return {owner: n for owner, n in rows}


def assign(session: Session, ticket: Ticket) -> int | None:
    """Give the flushed, unassigned `ticket` to a member of its team; the user id, or None."""
    if ticket.team_id is None or ticket.owner_id is not None:
        return None
    desk = _locked_desk(session, ticket.team_id)
    if desk is None or desk.assignment == MANUAL:
        return None
    order = in_turn(_available(session, ticket.team_id), desk.last_assigned_id)
    if not order:
        return None
    if desk.assignment == LEAST_OPEN:
        counts = _open_counts(session, order)
        user_id = min(order, key=lambda m: counts.get(m, 0))  # min keeps the first of ties
    else:
        user_id = order[0]
    conn = session.connection()
    conn.execute(update(DeskTeam.__table__).where(DeskTeam.__table__.c.id == desk.id)
                 .values(last_assigned_id=user_id))
    conn.execute(update(Ticket.__table__).where(Ticket.__table__.c.id == ticket.id)
                 .values(owner_id=user_id))
    attributes.set_committed_value(ticket, "owner_id", user_id)
    session.expire(ticket, ["owner"])
    record_event(session, "assign", "Ticket", ticket.id,
                 {"team_id": ticket.team_id, "user_id": user_id, "how": desk.assignment})
    return user_id
