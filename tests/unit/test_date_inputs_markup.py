"""core/views/date_inputs.py: the browser's own date and date-time inputs, and
the forms LocalDateTimeField reads (what Chromium submits, and the shown form)."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DateTimeLocalField, Form

from core.views.date_inputs import DateInput, DateTimeInput
from core.views.local_datetime import LocalDateTimeField


class When(Form):
    day = DateField(widget=DateInput())
    at = LocalDateTimeField(widget=DateTimeInput())


@pytest.mark.parametrize("typed", ["2026-12-07T09:30", "2026-12-07T09:30:00",
                                   "2026-12-07 09:30:00", "2026-12-07 09:30"])
def test_the_browsers_and_the_shown_forms_are_read(typed):
    form = When(MultiDict({"day": "2026-12-07", "at": typed}))
    assert form.validate(), form.errors
    assert (form.day.data, form.at.data) == (dt.date(2026, 12, 7), dt.datetime(2026, 12, 7, 9, 30))


def test_inputs_are_native_and_a_refused_value_stays_visible():
    form = When(MultiDict({"day": "2026-12-07", "at": "7 Dec"}))
    assert not form.validate()
    assert 'type="date"' in form.day() and 'value="2026-12-07"' in form.day()
    assert 'type="datetime-local"' in form.at() and 'value="7 Dec"' in form.at()


class Stored(Form):  # a stored value, without LocalDateTimeField's time zone
    at = DateTimeLocalField(widget=DateTimeInput())


def test_a_time_with_seconds_is_submittable_unchanged():
    # a datetime-local input steps by minutes unless told otherwise
    form = Stored(data={"at": dt.datetime(2026, 12, 7, 9, 30, 15)})
    assert 'step="1"' in form.at() and 'value="2026-12-07 09:30:15"' in form.at()
    assert 'step=' not in Stored(data={"at": dt.datetime(2026, 12, 7, 9, 30)}).at()
