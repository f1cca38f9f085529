"""FAB's date and date-time form fields as the browser's own inputs.

FAB draws both with bootstrap-datepicker, a date-only picker (issue 19): for a
date-time it writes the picked day without a time, and replaces a typed
"2026-12-07 09:30" with a bare date, so the form refuses it ("Not a valid
datetime value"); for a date, a value that reached the input without a key
press (pasted from a menu, autofilled) is wiped when the picker closes, so a
required date arrives empty ("This field is required"). FAB's widget also
renders `field.data`, so the refused text vanishes from the redrawn form.

`<input type="date">` and `<input type="datetime-local">` need no script, pick
and type both, submit `2026-12-07` and `2026-12-07T09:30`, and are drawn from
`field._value()` (a refused value stays visible). `install()` puts them in
FAB's form converter; LocalDateTimeField reads the `T` form."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import (BS3TextFieldWidget, DatePickerWidget,
                                           DateTimePickerWidget)
from flask_appbuilder.forms import FieldConverter


class DateInput(BS3TextFieldWidget):
    input_type = "date"


class DateTimeInput(BS3TextFieldWidget):
    input_type = "datetime-local"

    def __call__(self, field, **kwargs):
        # the input's default step is a minute: a stored time with seconds would
        # make the browser refuse to submit the form untouched
        data = field.data
        if not field.raw_data and data is not None and (data.second or data.microsecond):
            kwargs.setdefault("step", "1")
        return super().__call__(field, **kwargs)


REPLACED = {DatePickerWidget: DateInput, DateTimePickerWidget: DateTimeInput}


def install() -> None:
    FieldConverter.conversion_table = tuple(
        (marker, field, REPLACED.get(widget, widget))
        for marker, field, widget in FieldConverter.conversion_table)
