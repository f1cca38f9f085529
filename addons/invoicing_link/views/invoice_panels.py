"""The panels invoicing puts in screen slots: an invoice's lines (its own
page) and an order's invoices (sales' order page). Each returns the panel
template's variables; rows are read through the record rules."""
from __future__ import annotations

from decimal import Decimal

from flask import url_for
from werkzeug.routing import BuildError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from addons.sales.rules.money import round_money
from addons.sales.services.catalog.currency_rates import MissingRate
from addons.sales.models.sales_order import CONFIRMED
from core.db import db
from core.user_time import today as local_today

from ..models.invoice import CREDIT_NOTE, DRAFT, ERP, ISSUED, Invoice
from ..services.credit import credit_check
from ..services.debts.payment_history import recent_payments
from ..services.debts.balance import BUCKETS, company_balance as balance_of_company
from ..services.finance_sync.sync_status import finance_status
from .invoice_labels import kind_word, payment_word, state_badge


def money(amount, currency) -> str:
    places = currency.decimal_places if currency is not None else 2
    return f"{round_money(Decimal(amount or 0), places):,.{places}f}"


def _may(view, action: str) -> bool:
    """Whether the reader has InvoiceView's `action` (Finance, Admin): the
    buttons show only to those who may press them."""
    return view.appbuilder.sm.has_access(f"can_{action}", "InvoiceView")


def invoice_lines(view, invoice) -> dict:
    """The lines, the print links, and Issue (a draft) / Credit note (an
    issued invoice) as POST buttons for those who may."""
    return {"invoice": invoice, "lines": invoice.lines, "money": money,
            "print_url": url_for("InvoicePrintView.print_invoice", pk=invoice.id),
            "issue_url": url_for("InvoiceView.issue", pk=invoice.id)
            if invoice.state == DRAFT and invoice.origin != ERP and _may(view, "issue") else None,
            "credit_url": url_for("InvoiceView.credit", pk=invoice.id)
            if invoice.state == ISSUED and invoice.kind != CREDIT_NOTE and invoice.origin != ERP
            and _may(view, "credit") else None}


def invoice_sync(view, invoice) -> dict:
    """Where the invoice is in each finance system, or why not (no line: no
    panel), each line linking to its hub job (where a failed one is retried)."""
    return {"finance_status": finance_status(db.session, invoice), "job_url": _job_url}


def _job_url(job_id: int) -> str | None:
    try:
        return url_for("HubJobView.show", pk=job_id)
    except BuildError:  # the hub's screens are not mounted
        return None


def order_invoices(view, order) -> dict:
    """The order's invoices, and "Invoice" (a draft of what is left) on a
    confirmed order for those who may."""
    invoices = db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                  .order_by(Invoice.id)).all()
    return {"invoices": invoices, "money": money, "state_badge": state_badge,
            "kind_word": kind_word, "payment_word": payment_word,
            "invoice_url": url_for("InvoiceView.from_order", pk=order.id)
            if order.state == CONFIRMED and _may(view, "from_order") else None}


BUCKET_LABELS = dict(zip(BUCKETS, (_l("Not due"), _l("1-30 days"), _l("31-60 days"),
                                   _l("61-90 days"), _l("Over 90 days"))))


def company_balance(view, company) -> dict | None:
    """What the company owes, by age, for readers of invoices (None hides the panel)."""
    if not view.appbuilder.sm.has_access("can_list", "InvoiceView"):
        return None
    try:
        balance = balance_of_company(db.session, company.id)
    except MissingRate:  # no base currency: nothing to add up in
        return None
    return {"balance": balance, "today": local_today(),
            "credit": credit_check.company_standing(db.session, company.id),
            "payments": recent_payments(db.session, company.id),
            "bucket_labels": [(k, str(v)) for k, v in BUCKET_LABELS.items()],
            "money": lambda amount, currency=None: money(amount, currency)}
