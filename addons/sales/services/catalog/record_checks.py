"""The catalog checks that need the database or the ORM's view of a record:
a product code, a rate day or a price break already taken, and a price
list's currency and target. The value rules are in rules/catalog_values.py;
screens and the REST API run both (the models run the value rules)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ...models import Currency, CurrencyRate, PriceListItem, Product
from ...rules.catalog_values import CatalogFieldError, shown

NEEDS_CURRENCY = _l("a price list needs a currency")
ONE_TARGET = _l("a price list applies to one customer company or to one tier: "
                "choose exactly one of them")


def check_product_code_free(session: Session, code: str | None,
                            product_id: int | None = None) -> None:
    """A product code names one product (ERPs map products by it)."""
    code = (code or "").strip()
    if not code:
        return
    with session.no_autoflush:
        other = session.execute(select(Product.id, Product.name).where(Product.code == code)
                                .limit(1)).first()
    if other is not None and other.id != product_id:
        raise CatalogFieldError("code", gettext("product code '%(code)s' is already used by "
                                                "'%(name)s'", code=code, name=other.name))


def check_rate_day_free(session: Session, currency_id: int | None, day,
                        rate_id: int | None = None) -> None:
    """One rate per currency and day (the latest on or before a day applies)."""
    if currency_id is None or day is None:
        return
    with session.no_autoflush:  # the rate being checked is not to be flushed first
        other = session.scalar(select(CurrencyRate.id).where(
            CurrencyRate.currency_id == currency_id, CurrencyRate.effective_date == day)
            .limit(1))
    if other is not None and other != rate_id:
        code = session.scalar(select(Currency.code).where(Currency.id == currency_id))
        raise CatalogFieldError("effective_date", gettext(
            "%(currency)s already has a rate on %(day)s", currency=code, day=day.isoformat()))


def check_break_free(session: Session, price_list_id: int | None, product_id: int | None,
                     min_quantity, item_id: int | None = None) -> None:
    """One price per product and quantity break in a list (two would make the
    price of that quantity a matter of chance)."""
    if None in (price_list_id, product_id, min_quantity):
        return
    with session.no_autoflush:
        other = session.scalar(select(PriceListItem.id).where(
            PriceListItem.price_list_id == price_list_id,
            PriceListItem.product_id == product_id,
            PriceListItem.min_quantity == Decimal(min_quantity)).limit(1))
    if other is not None and other != item_id:
        raise CatalogFieldError("min_quantity", gettext(
            "this list already prices the product from quantity %(quantity)s",
            quantity=shown(Decimal(min_quantity))))


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
