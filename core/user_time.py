"""The user's "now", "today" and periods, and their bounds in UTC for queries.

Datetimes are stored as naive UTC; days, months and quarters are the
reader's, in their time zone (core/i18n.py `select_time_zone`: their own
choice, else `CROSSDOCK_TIME_ZONE`; outside a request the deployment's). At
07:00 on 1 March in Asia/Shanghai it is still 28 February in UTC: "today" is
1 March, and "today" on a stored datetime column is [28 Feb 16:00, 1 Mar
16:00) UTC. Date columns (due dates, order dates) compare with the local
dates themselves.

    today()                     the reader's calendar day
    period("month")             (first day, last day) of this month, local
    utc_bounds(first, last)     [start, end) naive UTC for a datetime column
    exported(value)             a stored datetime for a file: local, ISO 8601
                                with its offset ("2026-12-05T21:30:00+08:00")

`now()` reads one clock; tests move it with `clock_at(instant)`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import has_app_context

PERIODS = ("today", "week", "month", "quarter", "year")

_clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731


def zone() -> ZoneInfo:
    """The reader's time zone (the deployment's outside a request; UTC without an app)."""
    if not has_app_context():
        return ZoneInfo("UTC")
    from flask_babel import get_timezone

    return ZoneInfo(str(get_timezone()))


def now() -> datetime:
    """The current instant in the reader's time zone (aware)."""
    return _clock().astimezone(zone())


def utc_now() -> datetime:
    """The current instant as the columns store it: naive UTC, whole seconds."""
    return _clock().astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """The reader's calendar day."""
    return now().date()


def day_start_utc(day: date) -> datetime:
    """Local midnight starting `day`, as naive UTC."""
    local = datetime.combine(day, time.min, tzinfo=zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def utc_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The local days first..last (inclusive; None: open) as [start, end) in
    naive UTC, for a stored datetime column."""
    return (day_start_utc(first) if first else None,
            day_start_utc(last + timedelta(days=1)) if last else None)


def period(name: str, day: date | None = None) -> tuple[date, date]:
    """(first, last) local day of the period `name` (one of PERIODS) holding
    `day` (default: today); a week starts on Monday."""
    day = day or today()
    if name == "today":
        return day, day
    if name == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if name == "month":
        first = day.replace(day=1)
    elif name == "quarter":
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    elif name == "year":
        first = day.replace(month=1, day=1)
    else:
        raise ValueError(f"unknown period '{name}' (one of {', '.join(PERIODS)})")
    months = {"month": 1, "quarter": 3, "year": 12}[name]
    month = first.month - 1 + months
    following = first.replace(year=first.year + month // 12, month=month % 12 + 1)
    return first, following - timedelta(days=1)


def exported(value: datetime) -> str:
    """A stored (naive UTC) datetime as an exported file states it: in the
    reader's zone, ISO 8601 to the second with the offset."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone()).replace(microsecond=0).isoformat()


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """Tests: `now()` is `instant` (aware, or naive UTC) inside the block."""
    global _clock
    fixed = instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    previous, _clock = _clock, (lambda: fixed)
    try:
        yield
    finally:
        _clock = previous
