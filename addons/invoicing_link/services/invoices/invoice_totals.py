"""An invoice's sums are its rounded lines' sums, kept in one place.

Line amounts are set by the commands that write lines (draft_from_order.py,
credit_note.py) from sales' rules; a before_flush listener (listeners.py)
sums the lines of every draft whose lines changed, so the header never
disagrees with its lines. Issued invoices are locked (invoice_lock.py).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from ...models.invoice import DRAFT, Invoice
from ...models.invoice_line import InvoiceLine


def recompute(session: Session, invoice: Invoice) -> None:
    lines = [line for line in invoice.lines if line not in session.deleted]
    invoice.amount_untaxed = sum((Decimal(x.amount_untaxed) for x in lines), Decimal(0))
    invoice.amount_tax = sum((Decimal(x.amount_tax) for x in lines), Decimal(0))
    invoice.amount_total = sum((Decimal(x.amount_total) for x in lines), Decimal(0))
    invoice.amount_residual = invoice.amount_total


def keep_totals_in_step(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): re-sum the drafts whose lines changed."""
    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, InvoiceLine):
            invoice = obj.invoice or (session.get(Invoice, obj.invoice_id)
                                      if obj.invoice_id else None)
            if invoice is not None and invoice not in session.deleted:
                touched.add(invoice)
    for invoice in touched:
        if invoice.state == DRAFT:
            recompute(session, invoice)
