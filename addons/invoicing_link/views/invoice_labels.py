"""The words of invoices on screens: field labels, states, kinds, events, and a
reconciliation's kinds of difference."""
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..models.invoice import (CANCELLED, CREDIT_NOTE, DOWN_PAYMENT, DRAFT, INVOICE, ISSUED,
                              NOT_PAID, PAID, PARTIAL)
from ..services.reconciliation.differences import (AMOUNT_MISMATCH, DUPLICATE_REFERENCE,
                                                   MISSING_HERE, MISSING_REMOTE, STATE_MISMATCH)

LABELS = {
    "number": _l("Number"), "kind": _l("Type"), "state": _l("Status"),
    "customer": _l("Customer"), "company": _l("Company"), "person": _l("Contact person"),
    "order": _l("Sales order"), "credited_invoice": _l("Credits invoice"),
    "owner": _l("Salesperson"), "team": _l("Sales team"), "currency": _l("Currency"),
    "invoice_date": _l("Invoice date"), "due_date": _l("Due date"), "note": _l("Notes"),
    "amount_untaxed": _l("Untaxed amount"), "amount_tax": _l("Taxes"),
    "amount_total": _l("Total"), "payment_state": _l("Payment"),
    "amount_paid": _l("Paid"), "amount_residual": _l("Amount due"),
    "series": _l("Series"), "fiscal_year": _l("Fiscal year"),
    "created_at": _l("Created at"), "created_by": _l("Created by"),
    "issued_at": _l("Issued at"), "issued_by": _l("Issued by"),
}
STATE_LABELS = {DRAFT: _l("Draft"), ISSUED: _l("Issued"), CANCELLED: _l("Cancelled")}
STATE_STYLE = {DRAFT: "default", ISSUED: "success", CANCELLED: "danger"}
KIND_LABELS = {INVOICE: _l("Invoice"), DOWN_PAYMENT: _l("Down payment"),
               CREDIT_NOTE: _l("Credit note")}
PAYMENT_LABELS = {NOT_PAID: _l("Not paid"), PARTIAL: _l("Partly paid"), PAID: _l("Paid")}
EVENT_LABELS = {"draft": _l("Draft invoice created"), "issue": _l("Invoice issued"),
                "credit_limit_passed": _l("Confirmed past the credit limit"),
                "credit_release": _l("Released past the credit limit"),
                "reconcile_resync": _l("Re-synced from the reconciliation")}
# a reconciliation's kinds of difference (services/reconciliation/differences.py)
DIFFERENCE_LABELS = {
    MISSING_REMOTE: _l("Missing in the finance system"),
    MISSING_HERE: _l("Missing here"),
    AMOUNT_MISMATCH: _l("Amounts differ"),
    STATE_MISMATCH: _l("States differ"),
    DUPLICATE_REFERENCE: _l("Duplicate reference"),
}
AMOUNT_LABELS = {"total": _l("Total"), "tax": _l("Taxes"), "residual": _l("Amount due")}
REMOTE_STATE_LABELS = {"draft": _l("Draft"), "posted": _l("Posted"), "paid": _l("Paid"),
                       "cancelled": _l("Cancelled")}


def state_badge(state: str) -> Markup:
    return Markup('<span class="label label-{} invoice-state">{}</span>').format(
        STATE_STYLE.get(state, "default"), STATE_LABELS.get(state, state))


def kind_word(kind: str) -> str:
    return str(escape(KIND_LABELS.get(kind, kind)))


def payment_word(state: str) -> str:
    return str(escape(PAYMENT_LABELS.get(state, state)))
