"""The one place where an EN 16931 document's amounts are derived: line net
amounts, the VAT breakdown per category and rate, and the document totals.

Every figure is rounded to cents once, where the norm defines it, and every
sum is taken over the rounded figures, so the business rules that check sums
(BR-CO-10..16, BR-S-08, BR-Z-08, BR-E-08, BR-AE-08 ...) hold exactly: the line
net amount is quantity x price rounded; a category's taxable amount is the sum
of its line amounts minus its allowances plus its charges; its tax is that
times the rate, rounded, unless the seller states its own (its lines' VAT
rounded one by one and summed, as most books keep it) within BR-CO-17's
tolerance: then the e-invoice's total is the invoice's to the cent; the
document's tax is the sum of the categories'.
Rounding itself is `rounding.py`'s.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rounding import money, to_step

ZERO = Decimal("0.00")
# BR-CO-17, BR-S-09: a category's stated tax may differ from taxable x rate by less than
# one unit of the currency (the CII rule allows <= 1, the UBL rule < 1)
STATED_TOLERANCE = Decimal(1)
# VAT category codes (UNCL 5305) that carry no VAT and need an exemption reason
EXEMPT = ("E", "AE", "K", "G", "O")
# what the breakdown says when the document gives no reason of its own (E has
# none: the exempting article differs per country and case, so it must be given)
DEFAULT_EXEMPTIONS = {
    "AE": ("Reverse charge", "VATEX-EU-AE"),
    "K": ("Intra-community supply", "VATEX-EU-IC"),
    "G": ("Export outside the EU", "VATEX-EU-G"),
    "O": ("Not subject to VAT", "VATEX-EU-O"),
}


@dataclass(frozen=True)
class VatBreakdown:  # BG-23, one per category and rate
    category: str  # BT-118
    rate: Decimal | None  # BT-119
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121


@dataclass(frozen=True)
class Totals:  # BG-22
    line_extension: Decimal  # BT-106
    allowances: Decimal  # BT-107
    charges: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115



def compute(lines, allowances_charges, exemptions, prepaid: Decimal,
            cash_rounding: Decimal | None, stated_vat=()
            ) -> tuple[tuple[VatBreakdown, ...], Totals]:
    """The VAT breakdown (in the order categories first appear) and the totals
    of a document's `Line`s, `AllowanceCharge`s, `Exemption`s and `StatedVat`s."""
    taxable: dict[tuple[str, Decimal | None], Decimal] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + line.net_amount
    for ac in allowances_charges:
        key = (ac.vat_category, ac.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + (money(ac.amount) if ac.charge
                                                 else -money(ac.amount))
    given = {e.category: (e.reason, e.code) for e in exemptions}
    stated = {(s.category, s.rate): money(s.tax) for s in stated_vat}
    breakdown = []
    for (category, rate), base in taxable.items():
        tax = ZERO if category in EXEMPT or rate is None else money(base * rate / 100)
        own = stated.get((category, rate))
        if own is not None and category not in EXEMPT and rate and \
                abs(own - tax) < STATED_TOLERANCE:
            tax = own
        reason, code = given.get(category, DEFAULT_EXEMPTIONS.get(category, ("", "")))
        if category not in EXEMPT:
            reason = code = ""  # the rules forbid a reason on taxed categories
        breakdown.append(VatBreakdown(category, rate, base, tax, reason, code))

    line_extension = sum((line.net_amount for line in lines), ZERO)
    allowances = sum((money(a.amount) for a in allowances_charges if not a.charge), ZERO)
    charges = sum((money(c.amount) for c in allowances_charges if c.charge), ZERO)
    tax_exclusive = line_extension - allowances + charges
    tax = sum((b.tax for b in breakdown), ZERO)
    tax_inclusive = tax_exclusive + tax
    prepaid = money(prepaid)
    due = tax_inclusive - prepaid
    payable = to_step(due, cash_rounding) if cash_rounding else due
    return tuple(breakdown), Totals(line_extension, allowances, charges, tax_exclusive, tax,
                                    tax_inclusive, prepaid, payable - due, payable)
