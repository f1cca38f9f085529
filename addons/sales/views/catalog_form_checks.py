"""WTForms validators over rules/catalog_values.py and
services/catalog/record_checks.py: a field error on the catalog forms
(products, taxes, rates, price lists) instead of a flash."""
from __future__ import annotations

from wtforms.validators import StopValidation, ValidationError

from core.db import db

from ..rules.catalog_values import CatalogFieldError, check_rate_currency
from ..services.catalog import record_checks


class CatalogCheck:
    """Runs `check(value)` on non-empty input; a CatalogFieldError becomes the field's error."""

    def __init__(self, check):
        self.check = check

    def __call__(self, form, field):
        if field.data is None or str(field.data).strip() == "":
            return
        try:
            self.check(field.data)
        except CatalogFieldError as exc:
            raise ValidationError(exc.message) from None


def _edited_id(form):
    return getattr(form, "_id", None)  # FAB sets it on edit forms


def unique_product_code(form, field):
    """Stops the chain, so FAB's own "Already exists." does not repeat it."""
    try:
        pk = _edited_id(form)
        record_checks.check_product_code_free(db.session, field.data,
                                              int(pk) if pk is not None else None)
    except CatalogFieldError as exc:
        raise StopValidation(exc.message) from None


def rate_day_free(form, field):
    currency = form.currency.data if hasattr(form, "currency") else None
    pk = _edited_id(form)
    try:
        record_checks.check_rate_day_free(db.session, getattr(currency, "id", None), field.data,
                                          int(pk) if pk is not None else None)
    except CatalogFieldError as exc:
        raise ValidationError(exc.message) from None


def not_the_base_currency(form, field):
    try:
        check_rate_currency(field.data)
    except CatalogFieldError as exc:
        raise ValidationError(exc.message) from None


def needs_currency(form, field):
    if field.data is None:
        raise StopValidation(record_checks.NEEDS_CURRENCY)


def one_customer_or_tier(form, field):
    """On the company field: exactly one of company and tier is chosen."""
    tier = form.tier.data if hasattr(form, "tier") else None
    if (field.data is None) == (tier is None):
        raise ValidationError(record_checks.ONE_TARGET)


def break_free(form, field):
    """On min_quantity: no second price for the same product and break in the list."""
    price_list = form.price_list.data if hasattr(form, "price_list") else None
    product = form.product.data if hasattr(form, "product") else None
    pk = _edited_id(form)
    try:
        record_checks.check_break_free(db.session, getattr(price_list, "id", None),
                                       getattr(product, "id", None), field.data,
                                       int(pk) if pk is not None else None)
    except CatalogFieldError as exc:
        raise ValidationError(exc.message) from None
