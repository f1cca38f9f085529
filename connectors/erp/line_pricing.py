"""Unit prices an ERP keeps to the cent.

Crossdock rounds each line half-up (四舍五入) to the currency and computes its
tax on the rounded untaxed amount. An ERP that stores a line as quantity x
unit price and rounds its own way lands a cent away now and then: Tryton
rounds half-even, so 5 x 0.0050 is 0.02 there and 0.03 here, and 200 such
lines of 4-decimal prices made an order 0.02 lower. A price-included line has
no untaxed unit price of its own at all.

`fit_unit_price` picks the unit price (after discount, without tax, in the
ERP's price digits) closest to ours whose amount and tax, rounded by the
ERP's rule, are exactly our line's amounts; the lines then add up to our
totals. The plain price is kept whenever it already does (nearly always);
when no price in the ERP's digits does (a large quantity with coarse price
digits), the plain price goes and the read-back of the totals reports the
difference. Pure: no I/O.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from .payloads import OrderLine

ROUNDINGS = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}
HUNDRED = Decimal(100)
MAX_STEPS = 2000  # prices tried on each side of ours


def net_unit_price(line: OrderLine) -> Decimal:
    """Our unit price after discount, without tax (unrounded)."""
    price = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    included = sum((t.rate for t in line.taxes if t.price_include), Decimal(0))
    if included:
        if line.amount_untaxed is not None and line.quantity:
            return line.amount_untaxed / line.quantity
        return price / (1 + included / HUNDRED)
    return price


def fit_unit_price(line: OrderLine, *, places: int, price_step: Decimal,
                   rounding: str) -> tuple[Decimal, bool]:
    """(unit price to send, whether it differs from our plain price)."""
    rule = ROUNDINGS[rounding]
    plain = net_unit_price(line).quantize(price_step, ROUND_HALF_UP)
    untaxed, tax, quantity = line.amount_untaxed, line.amount_tax, line.quantity
    if untaxed is None or not quantity:
        return plain, False
    cent = Decimal(1).scaleb(-places)
    rate = sum((t.rate for t in line.taxes), Decimal(0)) / HUNDRED

    def amount_kept(price: Decimal) -> bool:
        return (quantity * price).quantize(cent, rule) == untaxed

    def tax_kept(price: Decimal) -> bool:
        return tax is None or (quantity * price * rate).quantize(cent, rule) == tax

    if amount_kept(plain) and tax_kept(plain):
        return plain, False
    low, high = (untaxed - cent) / quantity, (untaxed + cent) / quantity
    centre = min(max(plain, low), high).quantize(price_step, ROUND_HALF_UP)
    first_amount_only = None
    for step in range(MAX_STEPS):
        for price in ((centre,) if step == 0 else
                      (centre - step * price_step, centre + step * price_step)):
            if price < 0 or not amount_kept(price):
                continue
            if tax_kept(price):
                return price, price != plain
            first_amount_only = first_amount_only or price
        if centre - step * price_step < low and centre + step * price_step > high:
            break  # every price whose amount can round to ours was tried
    if first_amount_only is not None:
        return first_amount_only, first_amount_only != plain
    return plain, False
