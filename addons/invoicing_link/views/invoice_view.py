"""Invoicing > Invoices (发票): invoices, down payments and credit notes.

Drafts are made from an order (the "Invoice" button on a confirmed order's
page, order_invoicing.py) or from an invoice ("Credit note"); a draft's date,
due date and notes can be edited and a draft deleted. "Issue" and "Credit
note" are POST buttons calling services/invoices/; an issued invoice is
read-only here and in the session (invoice_lock.py).
"""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from addons.sales.models import SalesOrder
from core.db import db
from core.security.record_rules import AccessDenied
from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models.invoice import DRAFT, Invoice
from ..services.invoices import credit_note, draft_from_order, issue_invoice
from ..services.invoices.invoice_errors import InvoiceCheckError, InvoiceStateError
from ..services.invoices.invoice_lock import refuse_if_locked
from .invoice_labels import KIND_LABELS, LABELS, PAYMENT_LABELS, state_badge

LIST = ["number", "kind", "customer", "order", "invoice_date", "due_date", "amount_total",
        "currency", "state", "payment_state"]
SHOW = ["number", "kind", "state", "customer", "order", "credited_invoice", "owner", "team",
        "currency", "invoice_date", "due_date", "amount_untaxed", "amount_tax",
        "amount_total", "payment_state", "amount_paid", "amount_residual", "note",
        "created_at", "created_by", "issued_at", "issued_by"]
REFUSALS = (InvoiceStateError, InvoiceCheckError, AccessDenied)


def load_invoice(pk) -> Invoice | None:
    """The invoice (record rules applied) with its lines, order and currency."""
    return db.session.scalars(select(Invoice).where(Invoice.id == pk).options(
        selectinload(Invoice.lines))).first()


class InvoiceView(RecordView):
    datamodel = CappedCountInterface(Invoice, eager_relations=("company", "person", "order",
                                                               "currency"))
    list_title = _l("Invoices")
    show_title = _l("Invoice")
    edit_title = _l("Edit draft invoice")
    label_columns = LABELS
    list_columns = LIST
    show_columns = SHOW
    edit_columns = ["invoice_date", "due_date", "note"]
    search_columns = ["number", "kind", "state", "company", "order", "invoice_date",
                      "due_date", "payment_state"]
    order_columns = ["number", "invoice_date", "due_date", "amount_total"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_edit", "can_delete", "can_issue",
                        "can_credit", "can_from_order"]
    formatters_columns = {"state": state_badge,
                          "kind": lambda k: KIND_LABELS.get(k, k),
                          "payment_state": lambda p: PAYMENT_LABELS.get(p, p)}

    def pre_update(self, item):
        refuse_if_locked(item)
        if item.invoice_date and item.due_date and item.due_date < item.invoice_date:
            raise ValueError(gettext("The due date is before the invoice date."))

    def pre_delete(self, item):
        refuse_if_locked(item)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """An issued invoice is not editable: say so on its page."""
        invoice = self.datamodel.get(self._deserialize_pk_if_composite(pk))
        if invoice is not None and invoice.state != DRAFT:
            flash(gettext("%(number)s is issued: it cannot be changed (make a credit note).",
                          number=invoice.number), "danger")
            return redirect(url_for(f"{self.endpoint}.show", pk=invoice.id))
        return super().edit(pk)

    def _run(self, command, *args, done: str):
        """Run a command, commit, flash; the invoice it made or changed, else None."""
        try:
            result = command(db.session, *args)
            db.session.commit()
        except REFUSALS as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return None
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: changed by someone else meanwhile; reload and try "
                          "again."), "danger")
            return None
        flash(done, "success")
        return result

    @expose("/issue/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("issue")
    def issue(self, pk):
        invoice = load_invoice(pk)
        if invoice is None:
            abort(404)
        number = self._run(issue_invoice.issue, invoice, done=gettext("Invoice issued."))
        if number:
            flash(gettext("Number: %(number)s", number=number), "info")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/credit/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("credit")
    def credit(self, pk):
        """A draft credit note of all that is left to credit on the invoice."""
        invoice = load_invoice(pk)
        if invoice is None:
            abort(404)
        made = self._run(credit_note.credit_note, invoice,
                         done=gettext("Draft credit note created."))
        return redirect(url_for(f"{self.endpoint}.show", pk=made.id if made else pk))

    @expose("/from_order/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("from_order")
    def from_order(self, pk):
        """A draft invoice of what is left to invoice on a confirmed order (the
        final invoice, deducting the down payments, when they are open)."""
        order = db.session.scalars(select(SalesOrder).where(SalesOrder.id == pk)).first()
        if order is None:
            abort(404)
        made = self._run(draft_from_order.invoice_order, order,
                         done=gettext("Draft invoice created."))
        if made is None:
            return redirect(url_for("OrderView.show", pk=pk))
        return redirect(url_for(f"{self.endpoint}.show", pk=made.id))
