"""The SLA report: per team and per agent, over the tickets created in a
period that the reader may see (record rules apply to the query): tickets,
solved, first responses and resolutions met and breached, average working
minutes to the first response and to the resolution, and the average
satisfaction rating; and the backlog: open tickets per team by age.
Aggregated in the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from ...models import Rating, Ticket


@dataclass(frozen=True)
class Line:
    key: int | None  # team or user id
    tickets: int
    solved: int
    response_met: int
    response_breached: int
    resolution_met: int
    resolution_breached: int
    avg_response_minutes: float | None
    avg_resolution_minutes: float | None
    avg_rating: float | None


def _count(condition):
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def report(session: Session, by: str, since: datetime, until: datetime,
           team_ids=None) -> list[Line]:
    """`by`: "team" or "agent"; `team_ids`: only these teams' tickets (None: all read)."""
    key = Ticket.team_id if by == "team" else Ticket.owner_id
    responded = Ticket.first_response_at.is_not(None)
    solved = Ticket.solved_at.is_not(None)
    has_policy = Ticket.sla_policy_id.is_not(None)
    stmt = (select(key, func.count(Ticket.id), _count(solved),
                   _count(responded & has_policy & Ticket.first_response_breached.is_(False)),
                   _count(Ticket.first_response_breached),
                   _count(solved & has_policy & Ticket.resolution_breached.is_(False)),
                   _count(Ticket.resolution_breached),
                   func.avg(Ticket.first_response_minutes), func.avg(Ticket.resolution_minutes),
                   func.avg(Rating.score))
            .outerjoin(Rating, Rating.ticket_id == Ticket.id)
            .where(Ticket.created_at >= since, Ticket.created_at < until,
                   Ticket.merged_into_id.is_(None))
            .group_by(key).order_by(key))
    if team_ids is not None:
        stmt = stmt.where(Ticket.team_id.in_(team_ids))
    return [Line(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, r[6] or 0,
                 None if r[7] is None else round(float(r[7]), 1),
                 None if r[8] is None else round(float(r[8]), 1),
                 None if r[9] is None else round(float(r[9]), 2))
            for r in session.execute(stmt).all()]


AGES = ((1, "under_1d"), (3, "1_3d"), (7, "3_7d"), (None, "over_7d"))  # days, key


@dataclass(frozen=True)
class Backlog:
    team_id: int | None
    open: int
    breached: int  # open and past a target
    ages: dict  # key of AGES -> open tickets of that age


def backlog(session: Session, now: datetime, team_ids=None) -> list[Backlog]:
    """The open tickets (not solved, not merged) per team, by age since creation."""
    buckets, since = [], None
    for days, key in AGES:
        newer = Ticket.created_at >= now - timedelta(days=days) if days is not None else None
        older = Ticket.created_at < now - timedelta(days=since) if since is not None else None
        condition = (newer & older if newer is not None and older is not None
                     else newer if newer is not None else older)
        buckets.append((key, _count(condition)))
        since = days
    stmt = (select(Ticket.team_id, func.count(Ticket.id),
                   _count(Ticket.first_response_breached | Ticket.resolution_breached),
                   *(column for _, column in buckets))
            .where(Ticket.solved_at.is_(None), Ticket.merged_into_id.is_(None))
            .group_by(Ticket.team_id).order_by(Ticket.team_id))
    if team_ids is not None:
        stmt = stmt.where(Ticket.team_id.in_(team_ids))
    return [Backlog(r[0], r[1], r[2] or 0, {key: r[3 + i] or 0 for i, (key, _) in
                                            enumerate(buckets)})
            for r in session.execute(stmt).all()]
