"""A down payment's amount split over the order's tax rates.

A down payment is asked as a gross amount (tax included). It is split over
the order's tax groups (rate + price-included flag) in proportion to each
group's total, each share rounded to the currency; the last group takes what
is left, so the shares add up to the amount asked exactly. Each share is one
tax-included line: untaxed = share / (1 + rate), tax = share - untaxed, so the
VAT a down payment carries is the VAT of what it pays for.
"""
from __future__ import annotations

from decimal import Decimal

from addons.sales.rules.money import round_money


def split_by_tax(amount: Decimal, group_totals: list[tuple[object, Decimal]],
                 decimal_places: int) -> list[tuple[object, Decimal]]:
    """(group key, share) per group with a non-zero total, shares summing to `amount`."""
    groups = [(key, total) for key, total in group_totals if total]
    whole = sum((total for _, total in groups), Decimal(0))
    if not groups or not whole:
        raise ValueError("the order has no amount to split a down payment over")
    shares, given = [], Decimal(0)
    for key, total in groups[:-1]:
        share = round_money(amount * total / whole, decimal_places)
        shares.append((key, share))
        given += share
    shares.append((groups[-1][0], round_money(amount, decimal_places) - given))
    return shares


def percent_of(total: Decimal, percent: Decimal, decimal_places: int) -> Decimal:
    return round_money(total * percent / Decimal(100), decimal_places)
