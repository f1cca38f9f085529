"""A draft credit note for an issued invoice (no commit; the caller commits).

    credit_note(session, invoice, quantities=None)
        the whole invoice left to credit, or {invoice_line_id: quantity}

The credit note references the invoice (`credited_invoice_id`) and each of its
lines the line it takes back (`credited_line_id`, and the order line, so the
quantity can be invoiced again). Never more than is left: per line, the
quantity less earlier credit notes (drafts included); in all, the invoice's
total less earlier credit notes. A quantity completing a line takes the
line's amounts left, so crediting a whole invoice in parts gives its total
back to the cent. Credit notes' amounts are positive; their kind counts them
negatively.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy.orm import Session

from addons.sales.rules.line_amounts import Amounts, line_amounts
from core.security.audit import record_event

from ...models.invoice import CREDIT_NOTE, ERP, ISSUED, Invoice
from ...models.invoice_line import InvoiceLine
from . import invoiced_amounts
from .draft_from_order import as_decimal, new_draft
from .invoice_errors import InvoiceCheckError, InvoiceStateError
from .invoice_lock import erp_message
from .invoice_totals import recompute


def _part(line: InvoiceLine, quantity: Decimal, left_qty: Decimal, left: Amounts,
          places: int) -> InvoiceLine:
    if quantity == left_qty:
        amounts = left
    else:
        amounts = line_amounts(Decimal(line.unit_price), quantity, Decimal(line.discount),
                               Decimal(line.tax_rate), line.price_include, places)
    return InvoiceLine(
        credited_line_id=line.id, order_line_id=line.order_line_id, sequence=line.sequence,
        description=line.description, quantity=quantity, unit_price=line.unit_price,
        discount=line.discount, tax_name=line.tax_name, tax_rate=line.tax_rate,
        price_include=line.price_include, amount_untaxed=amounts.untaxed,
        amount_tax=amounts.tax, amount_total=amounts.total)


def check_within_invoice(session: Session, credit: Invoice, states=invoiced_amounts.LIVE):
    invoice = credit.credited_invoice
    taken = invoiced_amounts.credited(session, invoice, states,
                                      exclude_invoice_id=credit.id)
    before = sum((b.amounts.total for b in taken.values()), Decimal(0))
    if before + Decimal(credit.amount_total) > Decimal(invoice.amount_total):
        left = Decimal(invoice.amount_total) - before
        raise InvoiceCheckError(gettext(
            "%(number)s: only %(left)s %(currency)s is left to credit",
            number=invoice.number, left=left, currency=invoice.currency.code), field="amount")


def credit_note(session: Session, invoice: Invoice,
                quantities: dict[int, object] | None = None) -> Invoice:
    """A draft credit note of `invoice` (all that is left, or the lines given)."""
    if invoice.origin == ERP:
        raise InvoiceStateError(erp_message(invoice))
    if invoice.state != ISSUED or invoice.kind == CREDIT_NOTE:
        raise InvoiceStateError(gettext("%(number)s: only an issued invoice can be credited",
                                        number=invoice.number or invoice.id))
    taken = invoiced_amounts.credited(session, invoice)
    by_id = {line.id: line for line in invoice.lines}
    if quantities is not None:
        unknown = [k for k in quantities if k not in by_id]
        if unknown:
            raise InvoiceCheckError(gettext("line %(id)s is not a line of %(number)s",
                                            id=unknown[0], number=invoice.number),
                                    field="lines")
    places, lines = invoice.currency.decimal_places, []
    for line in invoice.lines:
        done = taken[line.id]
        left_qty = Decimal(line.quantity) - done.quantity
        left = Amounts(Decimal(line.amount_untaxed) - done.amounts.untaxed,
                       Decimal(line.amount_tax) - done.amounts.tax,
                       Decimal(line.amount_total) - done.amounts.total)
        if quantities is None:
            if left_qty == 0 and left.total == 0:
                continue
            quantity = left_qty
        else:
            if line.id not in quantities:
                continue
            quantity = as_decimal(quantities[line.id], "quantity")
            if Decimal(line.quantity) < 0:
                raise InvoiceCheckError(gettext("a deduction is credited with its whole "
                                                "invoice only"), field="lines")
            if quantity <= 0 or quantity > left_qty:
                raise InvoiceCheckError(gettext(
                    "%(line)s: %(asked)s asked, only %(left)s left to credit",
                    line=line.description, asked=quantity.normalize(),
                    left=left_qty.normalize()), field="quantity")
        lines.append(_part(line, quantity, left_qty, left, places))
    if not lines:
        raise InvoiceCheckError(gettext("%(number)s: nothing left to credit",
                                        number=invoice.number), field="lines")
    credit = new_draft(invoice.order, CREDIT_NOTE)
    credit.credited_invoice = invoice
    credit.lines = lines
    recompute(session, credit)
    if credit.amount_total <= 0:
        raise InvoiceCheckError(gettext("%(number)s: nothing left to credit",
                                        number=invoice.number), field="lines")
    check_within_invoice(session, credit)
    session.add(credit)
    session.flush()
    record_event(session, "draft", "Invoice", credit.id,
                 {"credits": invoice.number, "amount_total": str(credit.amount_total)})
    return credit
