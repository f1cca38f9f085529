"""Issue a draft: it gets its number and becomes immutable, in one transaction.

    issue(session, invoice, today=None)

1. Refused (nothing written) unless the invoice is a draft with lines and a
   total above zero (a final invoice may reach zero only with deductions).
2. The series' sequence row is locked (invoice_numbering.py): every issue of
   the series and year waits here for the one before to commit or roll back.
3. Under that lock the limits are checked again against the *issued*
   invoices: an order's invoices never pass its total nor an order line's
   quantity; a credit note never passes its invoice's total.
4. One conditional UPDATE (`WHERE id = ? AND state = 'draft'`) moves the draft
   to issued with its number, date and due date: of two concurrent issues
   of one draft one wins, the other is refused and its number given back
   with its rollback.
The caller commits (or rolls back: the number returns to the sequence).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.security.actor import current_actor
from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write
from core.user_time import today as local_today

from ...models.invoice import CREDIT_NOTE, DRAFT, ERP, ISSUED, Invoice
from ..finance_sync import request_push
from . import invoiced_amounts, issue_hooks
from .credit_note import check_within_invoice
from .draft_from_order import check_within_order
from .invoice_errors import InvoiceCheckError, InvoiceStateError
from .invoice_lock import ISSUING, erp_message
from .invoice_numbering import draw_number
from .payment_terms import due_date_for


def _check_lines_left(session: Session, invoice: Invoice) -> None:
    balances = invoiced_amounts.line_balances(session, invoice.order,
                                              invoiced_amounts.ISSUED_ONLY,
                                              exclude_invoice_id=invoice.id)
    for line in invoice.lines:
        if line.order_line is None:
            continue
        after = balances[line.order_line_id].quantity + invoice.sign * Decimal(line.quantity)
        if after > Decimal(line.order_line.quantity) or after < 0:
            raise InvoiceCheckError(gettext(
                "%(line)s: more than the order's quantity would be invoiced; another "
                "invoice of this line was issued meanwhile", line=line.description),
                field="quantity")


def issue(session: Session, invoice: Invoice, today: date | None = None) -> str:
    """Number and issue `invoice`; returns its number."""
    if not may_write(session, invoice):
        raise AccessDenied(gettext("you may not issue this invoice"))
    if invoice.origin == ERP:
        raise InvoiceStateError(erp_message(invoice))
    if invoice.state != DRAFT:
        raise InvoiceStateError(gettext("%(number)s is already %(state)s",
                                        number=invoice.number or invoice.id,
                                        state=invoice.state))
    if not invoice.lines:
        raise InvoiceCheckError(gettext("the invoice has no lines"), field="lines")
    if Decimal(invoice.amount_total) < 0 or (
            Decimal(invoice.amount_total) == 0
            and not any(line.deducted_line_id for line in invoice.lines)):
        raise InvoiceCheckError(gettext("the invoice's total must be more than 0"),
                                field="amount")
    invoice_date = invoice.invoice_date or today or local_today()
    _, number = draw_number(session, invoice.series, invoice_date.year)
    if invoice.kind == CREDIT_NOTE:
        check_within_invoice(session, invoice, invoiced_amounts.ISSUED_ONLY)
    else:
        check_within_order(session, invoice.order, invoice, invoiced_amounts.ISSUED_ONLY)
    _check_lines_left(session, invoice)
    moved = session.execute(
        update(Invoice).where(Invoice.id == invoice.id, Invoice.state == DRAFT)
        .values(state=ISSUED, number=number, fiscal_year=invoice_date.year,
                invoice_date=invoice_date,
                due_date=invoice.due_date or due_date_for(invoice_date),
                amount_residual=invoice.amount_total, issued_at=datetime.utcnow(),
                issued_by_id=current_actor().user_id)
        .execution_options(synchronize_session=False, **{ISSUING: True})).rowcount
    if moved != 1:
        raise InvoiceStateError(gettext("the invoice was issued or deleted meanwhile"))
    session.refresh(invoice)
    record_event(session, "issue", "Invoice", invoice.id,
                 {"number": number, "amount_total": str(invoice.amount_total),
                  "order": invoice.order.number})
    request_push(session, invoice)  # to each finance system taking our invoices, once
    issue_hooks.run(session, invoice)  # other addons' part (an e-invoice queued)
    return number
