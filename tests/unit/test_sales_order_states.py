"""The pieces of the order state machine that need no database: which line is
refused and why, how input becomes Decimal, refusal messages of the states,
numbers and the printed amounts and dates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from addons.sales.services.orders.order_lines import LineError, as_decimal, check_line
from addons.sales.services.orders.order_numbering import prefix_for
from addons.sales.services.orders.order_states import _refuse_state
from addons.sales.views.order_print import format_amount, format_date, format_number


class Product(SimpleNamespace):
    def __str__(self):
        return f"[{self.code}] {self.name}"


def line(**values):
    base = dict(product=Product(code="W-1", name="Widget", active=True),
                quantity=Decimal("1"), unit_price=Decimal("10"), discount=Decimal("0"))
    return SimpleNamespace(**{**base, **values})


@pytest.mark.parametrize("values, field, words", [
    ({"quantity": Decimal("0")}, "quantity", "more than 0 (0 given)"),
    ({"quantity": Decimal("-2")}, "quantity", "more than 0 (-2 given)"),
    ({"unit_price": Decimal("-0.01")}, "unit_price", "may not be negative"),
    ({"discount": Decimal("100.01")}, "discount", "between 0 and 100"),
    ({"discount": Decimal("-1")}, "discount", "between 0 and 100"),
    ({"product": Product(code="O-1", name="Old", active=False)}, "product",
     "product [O-1] Old is archived"),
    ({"product": None}, "product", "a product is required"),
])
def test_bad_lines_are_named_with_field_and_reason(values, field, words):
    with pytest.raises(LineError) as caught:
        check_line(line(**values), 3)
    assert caught.value.field == field and caught.value.line_no == 3
    assert str(caught.value).startswith(f"line 3: {field}: ") and words in str(caught.value)


def test_good_lines_pass_including_the_edges():
    check_line(line(discount=Decimal("100"), unit_price=Decimal("0")), 1)
    check_line(line(quantity=Decimal("0.0001")), 1)


@pytest.mark.parametrize("raw, expected", [("12.50", Decimal("12.50")), (3, Decimal(3)),
                                           (" 7 ", Decimal(7)), (Decimal("1.1"), Decimal("1.1"))])
def test_input_becomes_exact_decimals(raw, expected):
    assert as_decimal(raw, 1, "quantity") == expected


@pytest.mark.parametrize("raw", [1.5, True, "abc", "NaN", "Infinity", ""])
def test_floats_and_non_numbers_are_refused(raw):
    with pytest.raises(LineError, match="quantity"):
        as_decimal(raw, 2, "quantity")


@pytest.mark.parametrize("state, action, message", [
    ("confirmed", "confirm", "SO2026-00007 is already confirmed"),
    ("cancelled", "confirm", "SO2026-00007 is cancelled: it cannot be confirmed"),
    ("confirmed", "send", "SO2026-00007 is confirmed: it cannot be sent"),
    ("draft", "reset", "SO2026-00007 is draft: it cannot be reset to draft"),
])
def test_state_refusals_say_what_and_why(state, action, message):
    order = SimpleNamespace(number="SO2026-00007", state=state)
    assert str(_refuse_state(order, action)) == message


def test_numbers_restart_each_year():
    assert prefix_for(date(2026, 12, 31)) == "SO2026-"
    assert prefix_for(date(2027, 1, 1)) == "SO2027-"


def test_printed_amounts_and_dates():
    assert format_amount(Decimal("1234567.005"), 2) == "1,234,567.01"
    assert format_amount(Decimal("3391.5"), 0) == "3,392"
    assert format_amount(Decimal("0.1235"), 3) == "0.124"
    assert format_date(date(2026, 1, 5), "zh") == "2026年1月5日"
    assert format_date(date(2026, 1, 5), "en") == "05 Jan 2026"


def test_quantities_and_prices_never_print_in_exponent_form():
    assert format_number(Decimal("12800.0000"), 2) == "12,800.00"
    assert format_number(Decimal("100.0000")) == "100"
    assert format_number(Decimal("10.0050"), 2) == "10.005"
    assert format_number(Decimal("0.5000"), 0) == "0.5"
