"""The working calendar a team's SLAs count in: its desk settings' calendar;
a team without one (or a ticket without a team) counts wall-clock time."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import DeskTeam, WorkCalendar
from ...rules.holiday_sets import holiday_set
from ...rules.working_time import ALWAYS, Calendar, make_calendar


def as_calendar(row: WorkCalendar) -> Calendar:
    return make_calendar(row.time_zone, row.day_start, row.day_end, row.weekdays,
                         holiday_set(row.holidays))


def calendar_for(session: Session, team_id: int | None) -> Calendar:
    if team_id is None:
        return ALWAYS
    row = session.scalar(select(WorkCalendar).join(DeskTeam, DeskTeam.calendar_id == WorkCalendar.id)
                         .where(DeskTeam.team_id == team_id))
    return as_calendar(row) if row is not None else ALWAYS
