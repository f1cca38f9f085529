"""Rounding money: one rule for every amount Crossdock shows or stores.

Amounts are Decimal and round half-up (四舍五入, also what fapiao and EN 16931
amounts use) to the currency's decimal places: CNY 0.01, JPY 1.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_money(amount: Decimal, decimal_places: int) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
