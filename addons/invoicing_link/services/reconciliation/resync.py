"""Re-sync one reconciliation row through the hub, never around it, and say
so in the audit log:

- ours, Crossdock's (missing there, a state or total that differs): the push
  again, the same job as at issue; the client finds the remote invoice by
  our number before it creates one, so there is never a second;
- a residual that differs, the ERP's own invoices, or one missing here (the
  ERP invoices): the pulls of the ERP's invoices and payments, now;
- a duplicate, or one missing here on a backend we invoice for: nothing the
  hub can do (cancel the extra one in the finance system): refused.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import Session

from addons.sales.services.erp.push import serial_key
from connectors import hub
from core.security.audit import record_event

from ...models.invoice import CROSSDOCK, DRAFT, Invoice
from ..finance_sync.erp_invoices import ERP_INVOICES
from ..finance_sync.invoice_push import INVOICE_PUSH
from ..finance_sync.modes import ERP_INVOICES as ERP_MODE, mode_of
from ..finance_sync.payments import INVOICE_PAYMENTS
from .differences import AMOUNT_MISMATCH, DUPLICATE_REFERENCE, MISSING_HERE
from .reconcile import ReconcileRefused

PUSH, PULL = "push", "pull"
AUDIT_ACTION = "reconcile_resync"


def resync_action(kind: str, origin: str, amounts: tuple[str, ...], mode: str) -> str | None:
    """push, pull, or None (nothing to re-sync) for a row."""
    if kind == DUPLICATE_REFERENCE:
        return None
    if kind == MISSING_HERE:
        return PULL if mode == ERP_MODE else None
    # left: missing there, amounts or state; a residual is a payment, read back by the pull
    residual_only = kind == AMOUNT_MISMATCH and set(amounts) == {"residual"}
    return PUSH if origin == CROSSDOCK and not residual_only else PULL


def resync(session: Session, backend, kind: str, invoice_id: int | None, external_id: str,
           amounts: tuple[str, ...] = ()) -> str:
    """Do the row's re-sync and commit; the action taken (PUSH or PULL)."""
    invoice = session.get(Invoice, invoice_id) if invoice_id else None
    if invoice_id and invoice is None:
        raise ReconcileRefused(gettext("No invoice #%(id)s.", id=invoice_id))
    origin = invoice.origin if invoice is not None else ""
    action = resync_action(kind, origin, amounts, mode_of(backend.options_json))
    if action is None:
        raise ReconcileRefused(gettext(
            "Nothing to re-sync: cancel the extra invoice in the finance system.")
            if kind == DUPLICATE_REFERENCE else gettext(
            "Nothing to re-sync: this backend does not send its invoices here."))
    details = {"backend": backend.name, "kind": kind, "action": action,
               "external_id": external_id or None,
               "number": invoice.number if invoice is not None else None}
    if action == PUSH:
        if invoice.state == DRAFT:
            raise ReconcileRefused(gettext("%(invoice)s is a draft: issue it first.",
                                           invoice=invoice))
        hub.enqueue(session, INVOICE_PUSH, invoice.id, backend.id,
                    serial_key=serial_key(invoice.order), retry_failed=True)
    else:  # the pull commits batch by batch: the audit row follows it
        details["changed"] = sum(hub.pull_now(session, ERP_INVOICES, INVOICE_PAYMENTS).values())
    record_event(session, AUDIT_ACTION, "Invoice", invoice_id, details)
    session.commit()
    return action
