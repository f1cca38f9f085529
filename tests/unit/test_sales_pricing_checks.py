"""The catalog rules as values meet them: prices, quantity breaks, tax rates
and exchange rates, each refused with the field and the reason."""
from decimal import Decimal as D

import pytest

import addons.contacts.models  # noqa: F401  (mapped before the sales models)
import core.models  # noqa: F401  (FAB's user, referenced by sales models)
from addons.sales.rules.catalog_values import (CatalogFieldError, check_exchange_rate,
                                                  check_min_quantity, check_price,
                                                  check_tax_rate)


@pytest.mark.parametrize("check, value, field, message", [
    (check_price, D("-0.0001"), "list_price", "a price cannot be negative (-0.0001)"),
    (check_price, "abc", "list_price", "'abc' is not a number"),
    (check_price, "NaN", "list_price", "'NaN' is not a number"),
    (check_min_quantity, D("-1.5000"), "min_quantity",
     "a quantity break cannot be negative (-1.5)"),
    (check_tax_rate, D("100.01"), "rate", "a tax rate is a percentage from 0 to 100, not 100.01"),
    (check_tax_rate, D("-1"), "rate", "a tax rate is a percentage from 0 to 100, not -1"),
    (check_exchange_rate, D("0"), "rate", "an exchange rate must be greater than 0, not 0"),
    (check_exchange_rate, D("-0.5"), "rate", "an exchange rate must be greater than 0, not -0.5"),
])
def test_bad_values_name_field_and_reason(check, value, field, message):
    with pytest.raises(CatalogFieldError) as exc:
        check(value)
    assert (exc.value.field, exc.value.message) == (field, message)


@pytest.mark.parametrize("check, value, expected", [
    (check_price, "0", D("0")), (check_price, "12.3456", D("12.3456")),
    (check_price, 0.1, D("0.1")),  # a JSON number: its text, not binary noise
    (check_min_quantity, D("0"), D("0")), (check_tax_rate, D("0"), D("0")),
    (check_tax_rate, D("100"), D("100")), (check_exchange_rate, D("0.0000000001"),
                                           D("0.0000000001")),
    (check_price, None, None),
])
def test_good_values_pass_as_decimals(check, value, expected):
    assert check(value) == expected


def test_models_refuse_bad_values_on_every_path():
    from addons.sales.models import CurrencyRate, PriceListItem, Product, Tax

    with pytest.raises(CatalogFieldError, match="list_price: a price cannot be negative"):
        Product(code="X", name="X", list_price=D("-1"))
    with pytest.raises(CatalogFieldError, match="rate: a tax rate is a percentage"):
        Tax(name="X", rate=D("250"))
    with pytest.raises(CatalogFieldError, match="rate: an exchange rate must be greater than 0"):
        CurrencyRate(rate=D("0"))
    with pytest.raises(CatalogFieldError, match="min_quantity: a quantity break cannot be"):
        PriceListItem(min_quantity=D("-1"), unit_price=D("1"))
    assert Product(code="X", name="X", list_price="0.0993").list_price == D("0.0993")
