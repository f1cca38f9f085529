"""The values a product, tax, currency rate or price list must hold.

One place for each rule: the screens run them as form validators (a field
error), the REST API before saving (a 422 naming the field), and the models
on every attribute write (`@validates`), so a service or script cannot store
a negative price either. The checks that read the database (a code or a rate
day already taken) are in services/catalog/record_checks.py.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.rule_errors import N_, FieldError


class CatalogFieldError(FieldError):
    """A catalog value that cannot be stored; `field` names the form/API field.
    `message` (a lazy text too) may hold %(name)s placeholders filled from
    `params` after it is translated (core/rule_errors.py)."""


def _decimal(field: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)  # a JSON number: its shortest text, never binary noise
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CatalogFieldError(field, N_("'%(value)s' is not a number"), value=value) from None
    if not number.is_finite():
        raise CatalogFieldError(field, N_("'%(value)s' is not a number"), value=value)
    return number


def shown(number: Decimal) -> str:
    """-0.01, not -0.0100 (a schema may have padded what the user typed)."""
    return f"{number.normalize():f}" if number else "0"


def check_price(value, field: str = "list_price") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number < 0:
        raise CatalogFieldError(field, N_("a price cannot be negative (%(number)s)"),
                                number=shown(number))
    return number


def check_min_quantity(value, field: str = "min_quantity") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number < 0:
        raise CatalogFieldError(field, N_("a quantity break cannot be negative (%(number)s)"),
                                number=shown(number))
    return number


def check_tax_rate(value, field: str = "rate") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and not 0 <= number <= 100:
        raise CatalogFieldError(field, N_("a tax rate is a percentage from 0 to 100, "
                                          "not %(number)s"), number=shown(number))
    return number


def check_exchange_rate(value, field: str = "rate") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number <= 0:
        raise CatalogFieldError(field, N_("an exchange rate must be greater than 0, "
                                          "not %(number)s"), number=shown(number))
    return number


def check_rate_currency(currency) -> None:
    """The base currency is worth 1 by definition: it takes no rate."""
    if currency is not None and currency.is_base:
        raise CatalogFieldError("currency", N_("%(currency)s is the base currency: its rate "
                                               "is always 1 and cannot be entered"),
                                currency=currency.code)
