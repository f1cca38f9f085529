"""The rules a product, tax, currency rate or price list must satisfy.

One place for each rule: the screens run them as form validators (a field
error), the REST API before saving (a 422 naming the field), and the models
on every attribute write (`@validates`), so a service or script cannot store
a negative price either.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session


NEEDS_CURRENCY = "a price list needs a currency"
ONE_TARGET = ("a price list applies to one customer company or to one tier: "
              "choose exactly one of them")


class CatalogFieldError(ValueError):
    """A catalog value that cannot be stored; `field` names the form/API field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _decimal(field: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)  # a JSON number: its shortest text, never binary noise
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CatalogFieldError(field, f"'{value}' is not a number") from None
    if not number.is_finite():
        raise CatalogFieldError(field, f"'{value}' is not a number")
    return number


def _shown(number: Decimal) -> str:
    """-0.01, not -0.0100 (a schema may have padded what the user typed)."""
    return f"{number.normalize():f}" if number else "0"


def check_price(value, field: str = "list_price") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number < 0:
        raise CatalogFieldError(field, f"a price cannot be negative ({_shown(number)})")
    return number


def check_min_quantity(value, field: str = "min_quantity") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number < 0:
        raise CatalogFieldError(field, f"a quantity break cannot be negative ({_shown(number)})")
    return number


def check_tax_rate(value, field: str = "rate") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and not 0 <= number <= 100:
        raise CatalogFieldError(field, "a tax rate is a percentage from 0 to 100, "
                                       f"not {_shown(number)}")
    return number


def check_exchange_rate(value, field: str = "rate") -> Decimal | None:
    number = _decimal(field, value)
    if number is not None and number <= 0:
        raise CatalogFieldError(field, "an exchange rate must be greater than 0, "
                                       f"not {_shown(number)}")
    return number


def check_product_code_free(session: Session, code: str | None,
                            product_id: int | None = None) -> None:
    """A product code names one product (ERPs map products by it)."""
    from ..models import Product

    code = (code or "").strip()
    if not code:
        return
    with session.no_autoflush:
        other = session.execute(select(Product.id, Product.name).where(Product.code == code)
                                .limit(1)).first()
    if other is not None and other.id != product_id:
        raise CatalogFieldError("code", f"product code '{code}' is already used by "
                                        f"'{other.name}'")


def check_rate_day_free(session: Session, currency_id: int | None, day,
                        rate_id: int | None = None) -> None:
    """One rate per currency and day (the latest on or before a day applies)."""
    from ..models import Currency, CurrencyRate

    if currency_id is None or day is None:
        return
    with session.no_autoflush:  # the rate being checked is not to be flushed first
        other = session.scalar(select(CurrencyRate.id).where(
            CurrencyRate.currency_id == currency_id, CurrencyRate.effective_date == day)
            .limit(1))
    if other is not None and other != rate_id:
        code = session.scalar(select(Currency.code).where(Currency.id == currency_id))
        raise CatalogFieldError("effective_date",
                                f"{code} already has a rate on {day.isoformat()}")


def check_break_free(session: Session, price_list_id: int | None, product_id: int | None,
                     min_quantity, item_id: int | None = None) -> None:
    """One price per product and quantity break in a list (two would make the
    price of that quantity a matter of chance)."""
    from ..models import PriceListItem

    if None in (price_list_id, product_id, min_quantity):
        return
    with session.no_autoflush:
        other = session.scalar(select(PriceListItem.id).where(
            PriceListItem.price_list_id == price_list_id,
            PriceListItem.product_id == product_id,
            PriceListItem.min_quantity == Decimal(min_quantity)).limit(1))
    if other is not None and other != item_id:
        raise CatalogFieldError("min_quantity", f"this list already prices the product from "
                                                f"quantity {_shown(Decimal(min_quantity))}")


def check_rate_currency(currency) -> None:
    """The base currency is worth 1 by definition: it takes no rate."""
    if currency is not None and currency.is_base:
        raise CatalogFieldError("currency", f"{currency.code} is the base currency: its rate "
                                            "is always 1 and cannot be entered")


def check_price_list(price_list) -> None:
    """A list has a currency and applies to one customer or one tier."""
    if not _has(price_list, "currency", "currency_id"):
        raise CatalogFieldError("currency", NEEDS_CURRENCY)
    if _has(price_list, "company", "company_id") == _has(price_list, "tier", "tier_id"):
        raise CatalogFieldError("company", ONE_TARGET)


def _has(obj, relationship: str, foreign_key: str) -> bool:
    """Whether `obj` points at a row: the relationship when a form or schema set
    (or a load filled) it, since the foreign key only follows at flush."""
    values = inspect(obj).dict
    if relationship in values:
        return values[relationship] is not None
    return getattr(obj, foreign_key) is not None
