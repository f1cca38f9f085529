"""Neutral invoice payloads between the invoicing handlers and ERP clients.

`InvoiceOut` is an invoice or credit note Crossdock issued, as it goes to
the ERP (the Crossdock-invoices mode); `RemoteInvoice` is what the ERP holds
for one, ours or one the ERP made itself from a synced order (the
ERP-invoices mode). Amounts are Decimal and positive for both kinds, as the
documents show them (a credit note of 113.00 is 113.00 with kind
"credit_note"; a client turns that into the remote's sign). Lines are the
orders' `OrderLine` (product code, description, quantity, unit price, taxes
by name, our rounded amounts), so `line_pricing` keeps them to the cent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .payloads import Customer, OrderLine

InvoiceLine = OrderLine  # one shape for order and invoice lines

KINDS = ("invoice", "credit_note")
# normalised states and payment states every client returns
STATES = ("draft", "posted", "paid", "cancelled")
PAYMENT_STATES = ("not_paid", "partial", "paid")


@dataclass(frozen=True)
class InvoiceOut:
    """An invoice or credit note issued in Crossdock, to push to the ERP."""
    # our number (e.g. "INV2026-00042"): written into the remote invoice, searched first
    reference: str
    kind: str  # "invoice" | "credit_note"
    customer: Customer  # as the order push sends it; matched by `customer_match.choose`
    currency: str  # ISO 4217
    invoice_date: date
    lines: tuple[InvoiceLine, ...]
    total_untaxed: Decimal  # our figures, for the comparison with the ERP's
    total_tax: Decimal = Decimal(0)
    total: Decimal | None = None  # untaxed + tax when None
    due_date: date | None = None  # None: the ERP's payment term decides
    order_external_id: str = ""  # the ERP order it invoices, when the order was synced
    order_reference: str = ""  # our order number, for the remote's origin text
    # a credit note names the invoice it corrects: the remote id (binding) and/or number
    corrects_external_id: str = ""
    corrects_number: str = ""
    currency_places: int = 2
    notes: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"invoice kind {self.kind!r}: use {' or '.join(KINDS)}")

    @property
    def total_with_tax(self) -> Decimal:
        return self.total if self.total is not None else self.total_untaxed + self.total_tax


@dataclass(frozen=True)
class RemoteInvoice:
    """What the ERP holds for one invoice or credit note."""
    external_id: str  # the remote record id
    number: str  # the number people see there ("" while a draft has none)
    kind: str  # "invoice" | "credit_note"
    state: str  # normalised: draft, posted, paid, cancelled
    remote_state: str  # the ERP's own words for it
    currency: str = ""
    invoice_date: date | None = None
    due_date: date | None = None
    total_untaxed: Decimal | None = None
    total_tax: Decimal | None = None
    total: Decimal | None = None
    amount_paid: Decimal | None = None
    residual: Decimal | None = None  # still to pay
    payment_state: str = "not_paid"  # not_paid, partial, paid
    payment_date: date | None = None  # when the payment state last changed, if the ERP says
    order_external_id: str = ""  # the ERP order it came from, if known
    reference: str = ""  # our reference as the ERP holds it ("" for the ERP's own invoices)
    customer_external_id: str = ""
    corrects_external_id: str = ""  # a credit note's corrected invoice, if known
    # how this call found the customer and what a person should know; not remote data
    customer_match: str = field(default="", compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)


def payment_state(total: Decimal | None, residual: Decimal | None) -> str:
    """not_paid / partial / paid from the total and what is left to pay."""
    if total is None or residual is None:
        return "not_paid"
    if residual <= 0 and total > 0:
        return "paid"
    if 0 < residual < total:
        return "partial"
    return "not_paid"


def totals_differ(sent: InvoiceOut, got: RemoteInvoice) -> str:
    """In words, where the ERP's totals differ from ours ("" when they agree)."""
    cent = Decimal(1).scaleb(-sent.currency_places)
    pairs = (("untaxed", sent.total_untaxed, got.total_untaxed),
             ("tax", sent.total_tax, got.total_tax),
             ("total", sent.total_with_tax, got.total))
    differ = [f"{name} {theirs} there, {ours.quantize(cent)} here" for name, ours, theirs in pairs
              if theirs is not None and ours.quantize(cent) != theirs.quantize(cent)]
    return "totals differ: " + "; ".join(differ) if differ else ""
