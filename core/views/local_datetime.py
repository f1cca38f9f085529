"""FAB's forms and list filters show and read datetimes in the user's time
zone (stored UTC).

FAB maps every DateTime column to WTForms' DateTimeField; `install()` puts
`LocalDateTimeField` in its place in FAB's form converter: the field holds the
user's local time while the form is shown and validated, and writes UTC to
the record. A list's datetime filters (equal, not equal, greater, smaller)
read a typed time the same way ("after 2026-12-01 00:00" in Shanghai is
after 2026-11-30 16:00 UTC); a time with an offset means that instant, and
the REST API's times without one stay UTC."""
from __future__ import annotations

from datetime import datetime, timezone

from dateutil import parser
from flask import has_request_context, request
from flask_appbuilder.forms import FieldConverter
from flask_appbuilder.models.sqla import filters as fab
from flask_babel import to_user_timezone, to_utc
from wtforms import DateTimeField, DateTimeLocalField


class LocalDateTimeField(DateTimeLocalField):
    """Reads "2026-12-07 09:30:00" and the browser's "2026-12-07T09:30" (the
    date-time input, core/views/date_inputs.py); shows the first."""

    def process_data(self, value):
        if value is not None:
            value = to_user_timezone(value).replace(tzinfo=None)
        super().process_data(value)

    def populate_obj(self, obj, name):
        setattr(obj, name, to_utc(self.data) if self.data is not None else None)


def typed_as_utc(value):
    """A datetime typed into a filter as the naive UTC the column holds; what
    does not parse is left to FAB (which then ignores the filter)."""
    if isinstance(value, datetime):
        typed = value
    else:
        try:
            typed = parser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return value
    if typed.tzinfo is not None:
        return typed.astimezone(timezone.utc).replace(tzinfo=None)
    if has_request_context() and request.path.startswith("/api/"):
        return typed  # the REST API speaks UTC
    return to_utc(typed)


def _local(fab_filter: type) -> type:
    class Local(fab_filter):
        def apply(self, query, value):
            return super().apply(query, typed_as_utc(value))

    Local.__name__ = Local.__qualname__ = f"Local{fab_filter.__name__}"
    return Local


LOCAL_FILTERS = {f: _local(f) for f in (fab.FilterEqual, fab.FilterNotEqual,
                                        fab.FilterGreater, fab.FilterSmaller)}


def _converters(cls: type):
    yield cls
    for sub in cls.__subclasses__():
        yield from _converters(sub)


def install() -> None:
    FieldConverter.conversion_table = tuple(
        (marker, LocalDateTimeField if field is DateTimeField else field, widget)
        for marker, field, widget in FieldConverter.conversion_table)
    # every filter converter that keeps a table of its own (time_filters' too)
    for converter in _converters(fab.SQLAFilterConverter):
        if "conversion_table" in converter.__dict__:
            converter.conversion_table = tuple(
                (marker, [LOCAL_FILTERS.get(f, f) for f in filters]
                 if marker == "is_datetime" else filters)
                for marker, filters in converter.conversion_table)
