"""Decimal inputs and cells that show every stored digit.

WTForms' DecimalField shows 2 places unless told otherwise, so editing a unit
price of 0.0993 (Numeric(18, 4)) would save 0.10. These show the value with
its trailing zeros trimmed, at least 2 places for money-like columns."""
from __future__ import annotations

from decimal import Decimal

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from wtforms import DecimalField


def decimal_text(value, min_places: int = 2) -> str:
    """'100.00' for 100.0000, '0.0993' for 0.0993, '' for None."""
    if value is None:
        return ""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent if isinstance(exponent, int) else 0)
    return f"{value:.{places}f}"


class ExactDecimalField(DecimalField):
    def __init__(self, label=None, validators=None, min_places: int = 2, **kwargs):
        kwargs.setdefault("widget", BS3TextFieldWidget())
        super().__init__(label, validators, places=None, **kwargs)
        self.min_places = min_places

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return decimal_text(self.data, self.min_places)
