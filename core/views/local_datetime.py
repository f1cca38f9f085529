"""FAB's forms show and read datetimes in the user's time zone (stored UTC).

FAB maps every DateTime column to WTForms' DateTimeField; `install()` puts
`LocalDateTimeField` in its place in FAB's form converter: the field holds the
user's local time while the form is shown and validated, and writes UTC to
the record."""
from __future__ import annotations

from flask_appbuilder.forms import FieldConverter
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


def install() -> None:
    FieldConverter.conversion_table = tuple(
        (marker, LocalDateTimeField if field is DateTimeField else field, widget)
        for marker, field, widget in FieldConverter.conversion_table)
