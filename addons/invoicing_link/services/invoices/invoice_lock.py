"""An issued (or cancelled) invoice is locked: nothing changes it or its lines
except the payment fields the finance system reports and the overdue
follow-up (invoice.OPEN_AFTER_ISSUE),
and it is never deleted. Drafts are free to change or delete.

The guard sits in the session (before_flush, registered by listeners.py), so
every path meets it: the edit form, REST, services, a script. Screens and the
API call `refuse_if_locked` first to answer with a clear message. A bulk
`session.execute(update(Invoice)...)` or `delete(...)` skips the flush, so a
second listener (do_orm_execute) refuses those, except the issuing UPDATE
(issue_invoice.py marks it with the execution option ISSUING).
"""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import ORMExecuteState, Session

from ...models.invoice import DRAFT, ERP, OPEN_AFTER_ISSUE, Invoice
from ...models.invoice_line import InvoiceLine
from .invoice_errors import InvoiceStateError


ISSUING = "invoicing_issue"  # the execution option of issue_invoice.py's UPDATE
FOLLOWING = "invoicing_following_the_erp"  # session.info, set by finance_sync.remote_copy
FOLLOW_UP = {"overdue_reminded_at"}  # ours on any invoice, the ERP's too


class InvoiceLocked(InvoiceStateError):
    """A change to an issued invoice; the message names it."""


def locked_message(invoice: Invoice, state: str | None = None) -> str:
    return (f"{invoice.number or invoice.id} is {state or invoice.state}: an issued invoice "
            "cannot be changed or deleted (make a credit note)")


def erp_message(invoice: Invoice) -> str:
    return (f"{invoice.number or invoice.id} was made by the ERP and follows it: change, "
            "credit or cancel it there")


def refuse_if_locked(invoice: Invoice) -> None:
    if invoice.origin == ERP:
        raise InvoiceLocked(erp_message(invoice))
    if invoice.state != DRAFT:
        raise InvoiceLocked(locked_message(invoice))


def _loaded(obj, attr: str):
    hist = inspect(obj).attrs[attr].history
    return hist.deleted[0] if hist.deleted else getattr(obj, attr)


def _changed_fields(obj) -> set[str]:
    return {a.key for a in inspect(obj).attrs if a.history.has_changes()}


def _invoice_of(session: Session, line: InvoiceLine) -> Invoice | None:
    before = _loaded(line, "invoice")
    if before is not None:
        return before
    return session.get(Invoice, line.invoice_id) if line.invoice_id else None


def refuse_changes_to_issued_invoices(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): raise InvoiceLocked for a changed issued invoice
    or line, and for any change to an ERP's invoice but the ERP's own (its pull
    runs inside finance_sync.remote_copy.following_the_erp)."""
    following = session.info.get(FOLLOWING)
    for obj in (*session.dirty, *session.deleted, *session.new):
        if isinstance(obj, Invoice):
            if obj in session.new:
                continue
            deleted = obj in session.deleted
            changed = set() if deleted else _changed_fields(obj) - {"lines"}
            if not deleted and (not changed or changed <= FOLLOW_UP):
                continue  # nothing, or only the overdue follow-up (any origin)
            if _loaded(obj, "origin") == ERP:
                if following:
                    continue
                raise InvoiceLocked(erp_message(obj))
            if not deleted and changed <= OPEN_AFTER_ISSUE:
                continue
            invoice = obj
        elif isinstance(obj, InvoiceLine):
            invoice = _invoice_of(session, obj)
            if invoice is None or invoice in session.new:
                continue
        else:
            continue
        state = _loaded(invoice, "state")
        if state != DRAFT:
            raise InvoiceLocked(locked_message(invoice, state))


def refuse_bulk_changes(state: ORMExecuteState) -> None:
    """do_orm_execute (listeners.py): no bulk UPDATE/DELETE of invoices or lines
    (it would skip the flush guard), but the issuing UPDATE."""
    if not (state.is_update or state.is_delete) or state.execution_options.get(ISSUING):
        return
    if any(m.class_ in (Invoice, InvoiceLine) for m in state.all_mappers):
        raise InvoiceLocked("invoices and their lines are changed one by one through the "
                            "session (an issued one not at all), never by a bulk "
                            "UPDATE or DELETE")
