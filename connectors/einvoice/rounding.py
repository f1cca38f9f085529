"""Cents, rounded half up, as EN 16931-1 and the rules' own arithmetic do."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, net_price: Decimal) -> Decimal:
    """BT-131 = quantity x net price, rounded: 3 x 10.005 is 30.02 (30.015 half up)."""
    return money(Decimal(quantity) * Decimal(net_price))


def to_step(value: Decimal, step: Decimal) -> Decimal:
    """`value` rounded to a multiple of `step` (cash rounding: 0.05, 1)."""
    return money((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
