"""Amounts of a quotation/order line and of the whole order.

Rounding is per line (each line's untaxed amount and tax are rounded to the
currency, the order sums rounded lines), as Odoo's default and Chinese VAT
invoices do, so every printed line adds up to the printed total.

A price-included tax (consumer prices) is taken out of the line total:
untaxed = total / (1 + rate); a price-excluded tax is added on top.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .money import round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Amounts:
    untaxed: Decimal
    tax: Decimal
    total: Decimal

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts(self.untaxed + other.untaxed, self.tax + other.tax,
                       self.total + other.total)


def line_amounts(unit_price: Decimal, quantity: Decimal, discount_percent: Decimal,
                 tax_rate_percent: Decimal, price_include: bool,
                 decimal_places: int) -> Amounts:
    """One line's amounts, rounded to the currency. Inputs must be Decimal."""
    for name, value in (("unit price", unit_price), ("quantity", quantity),
                        ("discount", discount_percent), ("tax rate", tax_rate_percent)):
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    gross = unit_price * quantity * (HUNDRED - discount_percent) / HUNDRED
    rate = tax_rate_percent / HUNDRED
    if price_include:
        total = round_money(gross, decimal_places)
        untaxed = round_money(total / (1 + rate), decimal_places)
        return Amounts(untaxed, total - untaxed, total)
    untaxed = round_money(gross, decimal_places)
    tax = round_money(untaxed * rate, decimal_places)
    return Amounts(untaxed, tax, untaxed + tax)


def sum_amounts(lines: Iterable[Amounts], decimal_places: int) -> Amounts:
    zero = round_money(Decimal(0), decimal_places)
    total = Amounts(zero, zero, zero)
    for line in lines:
        total = total + line
    return total
