"""What a finance system says of an invoice, copied onto ours: one rule for
the payment pull (payments.py) and the ERP's own invoices (erp_invoices.py).

Payments (state, paid, residual and when they last changed) are copied for
every invoice, each change also kept as a row of the payment history
(PaymentChange); an ERP's own invoice also follows the ERP in everything else
(its number, dates, totals, and draft -> issued -> cancelled). Those writes
go through the session, so the audit log has each one; an issued invoice of
ours stays locked to anything but its payments (invoice_lock.py), while an
ERP's invoice may only be changed here, inside `following_the_erp`.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session, object_session

from connectors.erp.invoice_payloads import RemoteInvoice

from ...models.invoice import CANCELLED, DRAFT, ERP, ISSUED, Invoice
from ...models.payment_change import PaymentChange
from ..invoices.invoice_lock import FOLLOWING
STATES = {"draft": DRAFT, "posted": ISSUED, "paid": ISSUED, "cancelled": CANCELLED}


@contextmanager
def following_the_erp(session: Session):
    """Changes to ERP invoices made inside are the ERP's; flushed before leaving."""
    session.info[FOLLOWING] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(FOLLOWING, None)


def _set(invoice: Invoice, name: str, value) -> bool:
    if value is None or getattr(invoice, name) == value:
        return False
    setattr(invoice, name, value)
    return True


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def copy_remote(invoice: Invoice, remote: RemoteInvoice) -> bool:
    """Copy `remote` onto `invoice`; True when anything changed."""
    changed = False
    if invoice.origin == ERP:
        for name, value in (("state", STATES.get(remote.state)),
                            ("number", remote.number or None),
                            ("invoice_date", remote.invoice_date),
                            ("due_date", remote.due_date),
                            ("amount_untaxed", _amount(remote.total_untaxed)),
                            ("amount_tax", _amount(remote.total_tax)),
                            ("amount_total", _amount(remote.total))):
            changed |= _set(invoice, name, value)
        if invoice.fiscal_year is None and invoice.invoice_date is not None:
            invoice.fiscal_year = invoice.invoice_date.year
    paid_before = Decimal(invoice.amount_paid or 0)
    payment = False
    for name, value in (("payment_state", remote.payment_state),
                        ("amount_paid", _amount(remote.amount_paid)),
                        ("amount_residual", _amount(remote.residual))):
        payment |= _set(invoice, name, value)
    if payment:
        when = remote.payment_date
        invoice.payment_changed_at = (datetime.combine(when, time()) if when is not None
                                      else datetime.utcnow())
        paid = Decimal(invoice.amount_paid or 0) - paid_before
        if paid:
            _remember_payment(invoice, paid)
    return changed or payment


def _remember_payment(invoice: Invoice, paid: Decimal) -> None:
    """The payment history's row of this change (a reversal is a negative `paid`)."""
    object_session(invoice).add(PaymentChange(
        invoice=invoice, company_id=invoice.company_id,
        changed_at=invoice.payment_changed_at, paid=paid,
        amount_paid=Decimal(invoice.amount_paid or 0),
        amount_residual=Decimal(invoice.amount_residual or 0),
        payment_state=invoice.payment_state))
