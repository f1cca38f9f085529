"""Working time: when an SLA clock runs.

A `Calendar` is working hours (local wall times, so a day keeps its hours
across a DST change), working weekdays, and the public holidays and adjusted
working days (调休) that override the weekdays. Times given and returned are
naive UTC (the host's stored convention); aware ones are accepted.

``deadline(start, minutes, calendar)``: the moment `minutes` of working
time after `start` have passed (a start outside working hours counts from
the next opening).
``working_minutes(a, b, calendar)``: the working minutes between a and b
(0 when b is not after a), whole minutes, rounded down.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
MAX_DAYS = 3660  # a deadline further than ten years away is a configuration error


@dataclass(frozen=True)
class Calendar:
    zone: dt.tzinfo
    start: dt.time = dt.time(9)
    end: dt.time = dt.time(18)  # at or before start: the next day's (00:00-00:00 is all day)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO, 1 = Monday
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def works_on(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        return day in self.workdays or day.isoweekday() in self.weekdays

    def hours_of(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The day's opening and closing, aware UTC."""
        opening = dt.datetime.combine(day, self.start, tzinfo=self.zone)
        close_day = day if self.end > self.start else day + dt.timedelta(days=1)
        closing = dt.datetime.combine(close_day, self.end, tzinfo=self.zone)
        return opening.astimezone(UTC), closing.astimezone(UTC)


ALWAYS = Calendar(UTC, dt.time(0), dt.time(0), frozenset(range(1, 8)))  # no calendar: 24/7


def make_calendar(time_zone: str, day_start: str, day_end: str, weekdays: str,
                  holidays=None) -> Calendar:
    """A calendar from its stored form ("Asia/Shanghai", "09:00", "18:00", "12345",
    a holiday_sets.HolidaySet or None). Bad values raise ValueError."""
    try:
        zone = ZoneInfo(time_zone)
    except (KeyError, ValueError):
        raise ValueError(f"unknown time zone '{time_zone}'") from None
    days = frozenset(int(c) for c in weekdays if c.strip())
    if not days or not days <= set(range(1, 8)):
        raise ValueError(f"weekdays must be digits 1 (Monday) to 7: '{weekdays}'")
    return Calendar(zone, dt.time.fromisoformat(day_start), dt.time.fromisoformat(day_end), days,
                    holidays.holidays if holidays else frozenset(),
                    holidays.workdays if holidays else frozenset())


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _days_from(moment: dt.datetime, calendar: Calendar):
    """Local days from the one before `moment`'s (an overnight shift may still be open)."""
    day = moment.astimezone(calendar.zone).date() - dt.timedelta(days=1)
    for _ in range(MAX_DAYS):
        yield day
        day += dt.timedelta(days=1)
    raise ValueError(f"no working time within {MAX_DAYS} days: check the calendar")


def deadline(start: dt.datetime, minutes: float, calendar: Calendar) -> dt.datetime:
    moment, left = _aware(start), dt.timedelta(minutes=minutes)
    if left <= dt.timedelta(0):
        return _naive(moment)
    for day in _days_from(moment, calendar):
        if not calendar.works_on(day):
            continue
        opening, closing = calendar.hours_of(day)
        begin = max(moment, opening)
        if begin >= closing:
            continue
        if left <= closing - begin:
            return _naive(begin + left)
        left -= closing - begin
        moment = closing
    raise AssertionError("unreachable")  # _days_from raises first


def working_minutes(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> int:
    begin, end = _aware(a), _aware(b)
    total = dt.timedelta(0)
    if end <= begin:
        return 0
    for day in _days_from(begin, calendar):
        opening, closing = calendar.hours_of(day)
        if opening >= end:
            break
        if calendar.works_on(day):
            overlap = min(closing, end) - max(opening, begin)
            if overlap > dt.timedelta(0):
                total += overlap
    return int(total.total_seconds() // 60)
