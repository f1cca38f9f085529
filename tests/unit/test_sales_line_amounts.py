"""Line and order amounts: Decimal in, rounded per line to the currency, taxes
added on top or taken out of a price that includes them."""
from decimal import Decimal as D

import pytest

from addons.sales.rules.line_amounts import Amounts, line_amounts, sum_amounts
from addons.sales.rules.money import round_money


def test_tax_added_on_top_rounds_half_up_per_line():
    # 3 x 33.335 = 100.005 -> 100.01; 13 % of it = 13.0013 -> 13.00
    a = line_amounts(D("33.335"), D("3"), D("0"), D("13"), False, 2)
    assert a == Amounts(D("100.01"), D("13.00"), D("113.01"))


def test_discount_applies_before_tax():
    a = line_amounts(D("200"), D("2"), D("15"), D("13"), False, 2)  # 400 - 15 % = 340
    assert (a.untaxed, a.tax, a.total) == (D("340.00"), D("44.20"), D("384.20"))


def test_price_including_tax_is_split_out_of_the_total():
    a = line_amounts(D("113"), D("1"), D("0"), D("13"), True, 2)
    assert (a.untaxed, a.tax, a.total) == (D("100.00"), D("13.00"), D("113.00"))
    b = line_amounts(D("9.99"), D("3"), D("0"), D("19"), True, 2)  # 29.97 / 1.19 = 25.1848
    assert (b.untaxed, b.tax, b.total) == (D("25.18"), D("4.79"), D("29.97"))


def test_zero_decimal_currency_rounds_to_units():
    a = line_amounts(D("1234.5"), D("1"), D("0"), D("10"), False, 0)  # JPY
    assert (a.untaxed, a.tax, a.total) == (D("1235"), D("124"), D("1359"))


def test_order_total_is_the_sum_of_rounded_lines():
    lines = [line_amounts(D("0.333"), D("1"), D("0"), D("13"), False, 2) for _ in range(3)]
    total = sum_amounts(lines, 2)
    # each line 0.33 + 0.04 tax; rounding the sum instead would give 1.00 + 0.13
    assert total == Amounts(D("0.99"), D("0.12"), D("1.11"))
    assert sum_amounts([], 2) == Amounts(D("0.00"), D("0.00"), D("0.00"))


def test_floats_are_refused():
    with pytest.raises(TypeError, match="quantity must be a Decimal"):
        line_amounts(D("1"), 1.5, D("0"), D("13"), False, 2)


def test_round_money_half_up_not_bankers():
    assert round_money(D("2.345"), 2) == D("2.35")
    assert round_money(D("2.5"), 0) == D("3")
    assert round_money(D("-2.345"), 2) == D("-2.35")


def test_full_discount_gives_a_zero_line():
    a = line_amounts(D("99.99"), D("3"), D("100"), D("13"), False, 2)
    assert a == Amounts(D("0.00"), D("0.00"), D("0.00"))
    b = line_amounts(D("99.99"), D("3"), D("100"), D("13"), True, 2)
    assert b == Amounts(D("0.00"), D("0.00"), D("0.00"))


def test_fractional_quantity_multiplies_the_four_decimal_price_before_rounding():
    # 2.5 kg x 3.3333 = 8.33325 -> 8.33; 13 % = 1.0829 -> 1.08
    a = line_amounts(D("3.3333"), D("2.5"), D("0"), D("13"), False, 2)
    assert a == Amounts(D("8.33"), D("1.08"), D("9.41"))
    # 10,000 x 0.0149 (a converted unit price) = 149.00, not 10,000 x 0.01
    assert line_amounts(D("0.0149"), D("10000"), D("0"), D("0"), False, 2).total == D("149.00")


def test_price_included_tax_with_a_discount_splits_the_discounted_total():
    # 2 x 113 = 226, 10 % off = 203.40 incl. 13 %: 180.00 + 23.40
    a = line_amounts(D("113"), D("2"), D("10"), D("13"), True, 2)
    assert a == Amounts(D("180.00"), D("23.40"), D("203.40"))
    # 3 x 9.99 = 29.97, 15 % off = 25.4745 -> 25.47 incl. 19 %: 21.40 + 4.07
    b = line_amounts(D("9.99"), D("3"), D("15"), D("19"), True, 2)
    assert b == Amounts(D("21.40"), D("4.07"), D("25.47"))
    assert b.untaxed + b.tax == b.total


def test_a_negative_line_is_arithmetic_not_refused_here():
    # line_amounts is arithmetic: refusing a negative quantity or price is the
    # order lines' rule (services/orders/order_lines.py), which names the line. A
    # negative line rounds half-up away from zero, the mirror of a positive one.
    a = line_amounts(D("33.335"), D("-3"), D("0"), D("13"), False, 2)
    assert a == Amounts(D("-100.01"), D("-13.00"), D("-113.01"))


def test_tax_rounding_half_up_on_the_line_and_the_total_adds_up():
    # 0.05 x 13 % = 0.0065 -> 0.01 (half-up); banker's rounding would say 0.01 too,
    # but 0.25 x 10 % = 0.025 -> 0.03, where banker's says 0.02
    assert line_amounts(D("0.25"), D("1"), D("0"), D("10"), False, 2).tax == D("0.03")
    for price in ("0.01", "1.15", "19.99", "1234.5678"):
        for incl in (False, True):
            a = line_amounts(D(price), D("7"), D("12.5"), D("13"), incl, 2)
            assert a.untaxed + a.tax == a.total
            assert a.total.as_tuple().exponent == -2
