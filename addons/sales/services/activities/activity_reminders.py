"""Reminders shown in the app: a user's open activities whose reminder is due.

An activity reminds once `remind_at` (UTC) has passed, or, without one, from
its due day on (so an overdue activity keeps reminding until done). Mail does
not exist yet; when it does, a job can read `due_reminders` the same way.

``due_reminders(session, user_id, *, now=None, day=None, limit=None)`` and
``due_count(session, user_id, ...)``: through the ORM, so the record rules
apply on top of the owner filter.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ...models.activity import Activity
from .scheduling import today, utcnow


def _due(user_id: int, now: dt.datetime, day: dt.date):
    return (Activity.owner_id == user_id, Activity.done_at.is_(None),
            or_(Activity.remind_at <= now,
                and_(Activity.remind_at.is_(None), Activity.due_date <= day)))


def due_reminders(session: Session, user_id: int, *, now: dt.datetime | None = None,
                  day: dt.date | None = None, limit: int | None = None) -> list[Activity]:
    """Oldest due first."""
    stmt = (select(Activity).where(*_due(user_id, now or utcnow(), day or today()))
            .order_by(Activity.due_date, Activity.due_time, Activity.id))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def due_count(session: Session, user_id: int, *, now: dt.datetime | None = None,
              day: dt.date | None = None) -> int:
    return session.scalar(select(func.count()).select_from(Activity)
                          .where(*_due(user_id, now or utcnow(), day or today())))
