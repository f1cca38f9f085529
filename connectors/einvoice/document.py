"""A neutral EN 16931 invoice or credit note: what the norm's semantic model
holds, in its words (BT-/BG- numbers beside the fields), and nothing of
Crossdock's models. An addon builds a `Document`; `ubl.py` and `cii.py` write
it; its VAT breakdown and totals are derived from the lines and the document
allowances/charges by `amounts.py` alone, so they always agree. A seller whose
books round VAT per line states its own tax per category (`StatedVat`): it is
kept where BR-CO-17 allows, so the e-invoice's total is the invoice's.

Amounts are Decimals in the document currency, positive on credit notes as on
invoices (the type code says which).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from .amounts import Totals, VatBreakdown, compute
from .rounding import line_net

INVOICE, CREDIT_NOTE = "380", "381"  # UNTDID 1001


@dataclass(frozen=True)
class Address:  # BG-5 / BG-8
    country: str  # ISO 3166-1 alpha-2, BT-40 / BT-55
    street: str = ""
    additional_street: str = ""
    city: str = ""
    postal_code: str = ""
    subdivision: str = ""


@dataclass(frozen=True)
class Party:  # BG-4 seller / BG-7 buyer
    name: str  # BT-27 / BT-44
    address: Address
    vat_id: str = ""  # BT-31 / BT-48, with its country prefix (DE123456789)
    tax_registration: str = ""  # BT-32: the seller's national tax number
    legal_id: str = ""  # BT-30 / BT-47: company register number
    email: str = ""  # BT-43 / BT-58
    endpoint: str = ""  # BT-34 / BT-49: electronic address (Peppol participant)
    endpoint_scheme: str = ""  # its EAS code: 0088 GLN, 9930 German VAT, 0204 Leitweg-ID


@dataclass(frozen=True)
class Line:  # BG-25
    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    net_price: Decimal  # BT-146, per one unit; may carry more than 2 decimals
    vat_category: str = "S"  # BT-151, UNCL 5305: S Z E AE K G O
    vat_rate: Decimal | None = None  # BT-152, percent; None only for O
    unit_code: str = "C62"  # BT-130, UN/ECE rec 20 (C62 one, HUR hour, KGM kilogram)

    @property
    def net_amount(self) -> Decimal:  # BT-131
        return line_net(self.quantity, self.net_price)


@dataclass(frozen=True)
class AllowanceCharge:  # BG-20 allowance / BG-21 charge, document level
    charge: bool  # False: an allowance (discount), True: a charge (freight)
    amount: Decimal  # BT-92 / BT-99, 2 decimals
    vat_category: str  # BT-95 / BT-102
    vat_rate: Decimal | None  # BT-96 / BT-103
    reason: str = ""  # BT-97 / BT-104 (a reason or a code is required)
    reason_code: str = ""  # BT-98 / BT-105: UNTDID 5189 (allowance), 7161 (charge)


@dataclass(frozen=True)
class Exemption:  # BT-120 / BT-121 for one VAT category
    category: str
    reason: str = ""
    code: str = ""  # VATEX code, e.g. VATEX-EU-132-1I


@dataclass(frozen=True)
class StatedVat:
    """The seller's own VAT of one category and rate (its lines' rounded VAT
    summed), stated as BT-117 when within BR-CO-17's tolerance (amounts.py)."""
    category: str
    rate: Decimal | None
    tax: Decimal


@dataclass(frozen=True)
class PaymentMeans:  # BG-16
    code: str = "58"  # BT-81, UNCL 4461: 58 SEPA credit transfer, 30 credit transfer
    iban: str = ""  # BT-84
    account_name: str = ""  # BT-85
    remittance: str = ""  # BT-83: what the payer quotes with the payment


@dataclass(frozen=True)
class Document:
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5, ISO 4217
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    type_code: str = INVOICE  # BT-3: 380 invoice, 381 credit note
    due_date: date | None = None  # BT-9
    note: str = ""  # BT-22
    buyer_reference: str = ""  # BT-10 (Leitweg-ID in Germany)
    order_reference: str = ""  # BT-13
    preceding_invoice: str = ""  # BT-25: the invoice a credit note corrects
    preceding_issue_date: date | None = None  # BT-26
    delivery_date: date | None = None  # BT-72 (intra-EU supplies need it, BR-IC-11)
    delivery_country: str = ""  # BT-80 (intra-EU supplies need it, BR-IC-12)
    allowances_charges: tuple[AllowanceCharge, ...] = ()
    exemptions: tuple[Exemption, ...] = ()  # reasons for E/AE/K/G/O beyond the defaults
    payment_terms: str = ""  # BT-20
    payment_means: PaymentMeans | None = None
    prepaid: Decimal = Decimal("0")  # BT-113
    cash_rounding: Decimal | None = None  # e.g. 0.05: payable rounded to it (BT-114)
    stated_vat: tuple[StatedVat, ...] = ()  # per-line rounded VAT, see StatedVat

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @cached_property
    def vat_breakdown(self) -> tuple[VatBreakdown, ...]:
        return self._computed[0]

    @cached_property
    def totals(self) -> Totals:
        return self._computed[1]

    @cached_property
    def _computed(self) -> tuple[tuple[VatBreakdown, ...], Totals]:
        return compute(self.lines, self.allowances_charges, self.exemptions, self.prepaid,
                       self.cash_rounding, self.stated_vat)
