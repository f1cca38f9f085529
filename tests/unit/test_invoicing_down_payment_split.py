"""A down payment split over tax rates: shares in proportion, rounded, and
always adding up to the amount asked."""
from decimal import Decimal

import pytest

from addons.invoicing_link.rules.down_payment_split import percent_of, split_by_tax

D = Decimal


def test_shares_follow_the_groups_and_the_last_takes_the_rounding():
    shares = split_by_tax(D("69.04"), [("13%", D("33.92")), ("9% incl.", D("196.20"))], 2)
    assert shares == [("13%", D("10.18")), ("9% incl.", D("58.86"))]


def test_three_equal_groups_still_sum_to_the_amount():
    shares = split_by_tax(D("100"), [("a", D("1")), ("b", D("1")), ("c", D("1"))], 2)
    assert [s for _, s in shares] == [D("33.33"), D("33.33"), D("33.34")]
    yen = split_by_tax(D("100"), [("a", D("1")), ("b", D("1")), ("c", D("1"))], 0)
    assert sum(s for _, s in yen) == D("100") and [s for _, s in yen] == [D(33), D(33), D(34)]


def test_empty_groups_are_left_out_and_nothing_to_split_is_refused():
    assert split_by_tax(D("10"), [("a", D("0")), ("b", D("5"))], 2) == [("b", D("10.00"))]
    with pytest.raises(ValueError):
        split_by_tax(D("10"), [("a", D("0"))], 2)


def test_percent_rounds_half_up_to_the_currency():
    assert percent_of(D("230.12"), D("30"), 2) == D("69.04")  # 69.036
    assert percent_of(D("0.05"), D("50"), 2) == D("0.03")  # 0.025 half up
