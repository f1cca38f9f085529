"""invoicing_link's session listeners, all registered here, one line each
saying what it enforces (the addon's register() calls `register()`)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .services.invoices import invoice_lock, invoice_totals


def register() -> None:
    """Install each listener once (idempotent), in this order."""
    # a draft's sums follow its lines
    _listen("before_flush", invoice_totals.keep_totals_in_step)
    # an issued invoice and its lines are not changed nor deleted by any flush
    _listen("before_flush", invoice_lock.refuse_changes_to_issued_invoices)
    # ...nor by a bulk UPDATE/DELETE through the session, which skips the flush
    _listen("do_orm_execute", invoice_lock.refuse_bulk_changes)


def _listen(identifier: str, listener, **options) -> None:
    if not event.contains(Session, identifier, listener):
        event.listen(Session, identifier, listener, **options)
