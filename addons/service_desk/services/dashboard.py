"""The service desk dashboard's figures: satisfaction ratings per team and
per agent over a period (count and average score, by when they were given),
and the backlog per team by age (sla/report.py's). Aggregated in the
database; the record rules apply to the queries as to every other, so an
agent's dashboard counts the tickets they may read (their teams', those
assigned to them, those of the teams they manage)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.security.teams import Team

from ..models import Rating
from .sla.report import AGES, backlog


@dataclass(frozen=True)
class RatingLine:
    key: int | None  # team or user id
    name: str | None
    ratings: int
    average: float


def ratings(session: Session, by: str, since: datetime, until: datetime) -> list[RatingLine]:
    """`by`: "team" or "agent" (the ticket's team and assignee when it was rated)."""
    key = Rating.team_id if by == "team" else Rating.agent_id
    rows = session.execute(select(key, func.count(Rating.id), func.avg(Rating.score))
                           .where(Rating.created_at >= since, Rating.created_at < until)
                           .group_by(key).order_by(key)).all()
    names = _names(session, by, [r[0] for r in rows if r[0] is not None])
    return [RatingLine(r[0], names.get(r[0]), r[1], round(float(r[2]), 2)) for r in rows]


def _names(session: Session, by: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    column = (Team.id, Team.name) if by == "team" else (User.id, User.username)
    return dict(session.execute(select(*column).where(column[0].in_(ids))).all())


def dashboard(session: Session, since: datetime, now: datetime) -> dict:
    """Everything the dashboard shows, as JSON-ready values (its charts
    draw from this and the tables show the same numbers)."""
    queue = backlog(session, now)
    teams = _names(session, "team", [b.team_id for b in queue if b.team_id is not None])
    return {
        "ratings_by_team": [line.__dict__ for line in ratings(session, "team", since, now)],
        "ratings_by_agent": [line.__dict__ for line in ratings(session, "agent", since, now)],
        "ages": [key for _, key in AGES],
        "backlog": [{"team_id": b.team_id, "name": teams.get(b.team_id), "open": b.open,
                     "breached": b.breached, "ages": b.ages} for b in queue],
    }
