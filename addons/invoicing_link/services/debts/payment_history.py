"""The payment history: each change of an invoice's payments as its finance
system reported it (finance_sync/remote_copy.py writes the rows), newest
first, through the invoices' record rules."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models.invoice import Invoice
from ...models.payment_change import PaymentChange

SHOWN = 20


def recent_payments(session: Session, company_id: int, limit: int = SHOWN) -> list[PaymentChange]:
    return list(session.scalars(
        select(PaymentChange).where(PaymentChange.company_id == company_id)
        .options(joinedload(PaymentChange.invoice).joinedload(Invoice.currency))
        .order_by(PaymentChange.changed_at.desc(), PaymentChange.id.desc()).limit(limit)))


def as_json(change: PaymentChange) -> dict:
    return {"invoice_id": change.invoice_id, "number": change.invoice.number,
            "changed_at": change.changed_at.isoformat(), "paid": str(change.paid),
            "amount_paid": str(change.amount_paid),
            "amount_residual": str(change.amount_residual),
            "payment_state": change.payment_state, "currency": change.invoice.currency.code}
