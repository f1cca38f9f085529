"""SLA working time (addons/service_desk/rules/working_time.py): Shanghai
office hours with the 2026 PRC holidays and make-up working days (调休), and
a New York calendar across the March DST change."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from addons.service_desk.rules.holiday_sets import holiday_set
from addons.service_desk.rules.working_time import (ALWAYS, deadline, make_calendar,
                                                    working_minutes)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
CN = make_calendar("Asia/Shanghai", "09:00", "18:00", "12345", holiday_set("CN"))
NY = make_calendar("America/New_York", "09:00", "17:00", "12345")


def at(zone, *parts) -> dt.datetime:
    """A local wall time as the naive UTC the functions speak."""
    return dt.datetime(*parts, tzinfo=zone).astimezone(dt.timezone.utc).replace(tzinfo=None)


def test_within_a_day_and_over_a_night():
    start = at(SHANGHAI, 2026, 3, 10, 10, 0)  # a Tuesday
    assert deadline(start, 120, CN) == at(SHANGHAI, 2026, 3, 10, 12, 0)
    # 8 h left at 10:00: 8 h today until 18:00... then 1 h on Wednesday
    assert deadline(start, 9 * 60, CN) == at(SHANGHAI, 2026, 3, 11, 10, 0)
    assert working_minutes(start, at(SHANGHAI, 2026, 3, 11, 10, 0), CN) == 9 * 60


def test_a_start_outside_hours_counts_from_the_next_opening():
    friday_evening = at(SHANGHAI, 2026, 3, 13, 20, 0)
    assert deadline(friday_evening, 60, CN) == at(SHANGHAI, 2026, 3, 16, 10, 0)  # Monday
    assert working_minutes(friday_evening, at(SHANGHAI, 2026, 3, 16, 10, 0), CN) == 60


def test_spring_festival_is_skipped_and_its_saturdays_are_worked():
    # Friday 13 Feb 17:00, 2 h: 1 h Friday, then Saturday 14 Feb is a 调休 working day
    start = at(SHANGHAI, 2026, 2, 13, 17, 0)
    assert deadline(start, 120, CN) == at(SHANGHAI, 2026, 2, 14, 10, 0)
    # Saturday 14 Feb 17:00, 2 h: 15-23 Feb are off, Tuesday 24 Feb is next
    assert deadline(at(SHANGHAI, 2026, 2, 14, 17, 0), 120, CN) == at(SHANGHAI, 2026, 2, 24, 10, 0)
    # the whole holiday counts nothing; Saturday 28 Feb counts a full day
    assert working_minutes(at(SHANGHAI, 2026, 2, 14, 18, 0), at(SHANGHAI, 2026, 2, 24, 9, 0),
                           CN) == 0
    assert working_minutes(at(SHANGHAI, 2026, 2, 27, 18, 0), at(SHANGHAI, 2026, 3, 2, 9, 0),
                           CN) == 9 * 60


def test_national_day_week_and_its_sunday_working_day():
    # Sunday 20 Sep is worked; Friday 25 Sep to Wednesday 7 Oct are off but the 28-30 Sep
    start = at(SHANGHAI, 2026, 9, 19, 12, 0)  # a Saturday: not worked
    assert deadline(start, 30, CN) == at(SHANGHAI, 2026, 9, 20, 9, 30)
    # Thursday 24 Sep 17:00 + 2 h: 1 h then Monday 28 Sep (Mid-Autumn ended on the 27th)
    assert deadline(at(SHANGHAI, 2026, 9, 24, 17, 0), 120, CN) == at(SHANGHAI, 2026, 9, 28, 10, 0)
    # Wednesday 30 Sep 17:00 + 2 h: 1-7 Oct off, 8 Oct (Thursday) next
    assert deadline(at(SHANGHAI, 2026, 9, 30, 17, 0), 120, CN) == at(SHANGHAI, 2026, 10, 8, 10, 0)
    # Friday 9 Oct 17:00 + 2 h: Saturday 10 Oct is a 调休 working day
    assert deadline(at(SHANGHAI, 2026, 10, 9, 17, 0), 120, CN) == at(SHANGHAI, 2026, 10, 10, 10, 0)


def test_new_york_hours_stay_local_across_the_dst_change():
    # Friday 6 Mar 2026 16:00 EST + 2 h: 1 h Friday, Monday 9 Mar 10:00 EDT (one hour
    # earlier in UTC than a fixed offset would say)
    start = at(NEW_YORK, 2026, 3, 6, 16, 0)
    due = deadline(start, 120, NY)
    assert due == at(NEW_YORK, 2026, 3, 9, 10, 0) == dt.datetime(2026, 3, 9, 14, 0)
    assert working_minutes(start, due, NY) == 120
    # autumn: Friday 30 Oct 16:00 EDT + 2 h -> Monday 2 Nov 10:00 EST = 15:00 UTC
    assert deadline(at(NEW_YORK, 2026, 10, 30, 16, 0), 120, NY) == dt.datetime(2026, 11, 2, 15, 0)


def test_always_is_wall_clock_time_and_inverse_pairs_agree():
    start = dt.datetime(2026, 2, 16, 23, 30)
    assert deadline(start, 90, ALWAYS) == dt.datetime(2026, 2, 17, 1, 0)
    assert working_minutes(start, dt.datetime(2026, 2, 18, 23, 30), ALWAYS) == 48 * 60
    for minutes in (1, 59, 540, 541, 3000, 20000):
        s = at(SHANGHAI, 2026, 9, 18, 13, 7)
        assert working_minutes(s, deadline(s, minutes, CN), CN) == minutes
    assert working_minutes(dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 1), CN) == 0


def test_bad_calendars_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        make_calendar("Mars/Olympus", "09:00", "18:00", "12345")
    with pytest.raises(ValueError, match="weekdays"):
        make_calendar("UTC", "09:00", "18:00", "89")
    with pytest.raises(ValueError, match="holiday set"):
        holiday_set("XX")
