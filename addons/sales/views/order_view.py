"""Quotations (报价单) and orders (销售订单): two screens over SalesOrder, split
by state. Forms never write state, number or amounts; lines are edited on the
show page (a small editor, products picked by typing) while the order is a
quotation; Send, Confirm, Cancel and Back to draft are POST buttons that call
services/orders/order_states.py. A confirmed or cancelled order is read-only here
and in the session (services/orders/order_lock.py).

New quotation from an opportunity: `/quotationview/add?lead_id=<id>` fills in
customer, owner, team and currency from it.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import BuildError
from wtforms import HiddenField

from core.db import db
from core.user_time import today
from core.security.record_rules import AccessDenied, may_write
from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models import Lead, Tax
from ..models.sales_order import (CANCEL_PENDING, CANCEL_REFUSED, CANCELLED, CONFIRMED, DRAFT,
                                  EDITABLE, SENT, SalesOrder)
from ..rules.money import round_money
from ..services.catalog.currency_rates import base_currency, MissingRate
from ..services.erp.customer_payload import merge_ids
from ..services.erp.status import erp_status, erp_statuses, latest_jobs, order_sync
from ..services.orders import order_states
from ..services.orders.order_input import OrderInputError, edit_lines
from ..services.orders.order_lock import OrderLocked, refuse_if_locked
from .customer_pickers import CustomerPickers
from .order_print import format_number
from .product_picker import ProductChoices

VALIDITY_DAYS = 30
STATE_LABELS = {DRAFT: _l("Quotation"), SENT: _l("Quotation sent"),
                CONFIRMED: _l("Sales order"), CANCELLED: _l("Cancelled")}
STATE_STYLE = {DRAFT: "default", SENT: "info", CONFIRMED: "success", CANCELLED: "danger"}
CANCEL_LABELS = {CANCEL_PENDING: _l("cancellation pending"),
                 CANCEL_REFUSED: _l("cancellation refused")}
LABELS = {
    "number": _l("Number"), "state": _l("Status"), "customer": _l("Customer"),
    "company": _l("Company"), "person": _l("Contact person"), "lead": _l("Opportunity"),
    "owner": _l("Salesperson"), "team": _l("Sales team"), "currency": _l("Currency"),
    "price_list": _l("Price list"), "order_date": _l("Order date"),
    "validity_date": _l("Valid until"), "note": _l("Terms and notes"),
    "amount_untaxed": _l("Untaxed amount"), "amount_tax": _l("Taxes"),
    "amount_total": _l("Total"), "total": _l("Total"), "erp": _l("ERP"),
    "confirmed_at": _l("Confirmed at"), "confirmed_by": _l("Confirmed by"),
    "cancelled_at": _l("Cancelled at"), "cancelled_by": _l("Cancelled by"),
    "cancel_reason": _l("Cancel reason"), "sent_at": _l("Sent at"),
    "cancel_status": _l("Cancellation"), "cancel_requested_at": _l("Cancellation requested at"),
    "cancel_requested_by": _l("Cancellation requested by"),
    "cancel_refusal": _l("Cancellation refused because"), "created_at": _l("Created at"),
}
FORM = ["company", "person", "currency", "price_list", "order_date", "validity_date", "owner",
        "team", "note"]
LIST = ["number", "customer", "order_date", "validity_date", "owner", "total", "state", "erp"]
SHOW = ["number", "state", "cancel_status", "customer", "lead", "owner", "team", "currency",
        "price_list", "order_date", "validity_date", "note", "sent_at", "confirmed_at",
        "confirmed_by", "cancel_requested_at", "cancel_requested_by", "cancel_reason",
        "cancel_refusal", "cancelled_at", "cancelled_by"]
# lifecycle fields shown only once they hold something ("Cancelled at None" on a
# confirmed order said nothing true)
SHOWN_WHEN_SET = {"sent_at", "confirmed_at", "confirmed_by", "cancel_status",
                  "cancel_requested_at", "cancel_requested_by", "cancel_reason",
                  "cancel_refusal", "cancelled_at", "cancelled_by"}


def state_badge(state: str) -> Markup:
    return Markup(f'<span class="label label-{STATE_STYLE.get(state, "default")} '
                  f'order-state">{escape(STATE_LABELS.get(state, state))}</span>')


def cancel_badge(status: str | None) -> Markup:
    if not status:
        return Markup("")
    style = "warning" if status == CANCEL_PENDING else "danger"
    return Markup(f'<span class="label label-{style} order-cancel-status" '
                  f'data-status="{escape(status)}">'
                  f'{escape(CANCEL_LABELS.get(status, status))}</span>')


def erp_badges(statuses) -> Markup:
    """One badge per ERP backend: where the order is there, or why it is not."""
    return Markup(" ").join(
        Markup('<span class="label label-{} order-erp" title="{}">{}</span>').format(
            s.level, s.text, s.text if len(s.text) <= 80 else s.text[:77] + "...")
        for s in statuses if s.text)


def erp_problems(latest_jobs) -> list[tuple]:
    """(job, merge url or None) of the order's failed ERP jobs whose problem a
    person can resolve on the page (e.g. remote customers that could be its)."""
    found = []
    for job in latest_jobs:
        if job.state != "failed" or not job.problem.get("model"):
            continue
        merge = merge_ids(job.problem)
        url = None
        if merge is not None:
            try:
                url = url_for("MergeView.choose", kind=merge[0],
                              ids=",".join(map(str, merge[1])))
            except BuildError:
                url = None
        found.append((job, url))
    return found


def _job_url(job_id: int) -> str | None:
    """The hub's page of a job, for those who may open it."""
    try:
        return url_for("HubJobView.show", pk=job_id)
    except BuildError:
        return None


def money(amount, currency) -> str:
    """An amount with the currency's decimals and code: '1,234.50 CNY'."""
    places = currency.decimal_places if currency is not None else 2
    value = round_money(Decimal(amount or 0), places)
    return f"{value:,.{places}f} {currency.code if currency is not None else ''}".strip()


class OrdersWithErp(CappedCountInterface):
    """Orders with their "erp" column (where each is in the ERPs) read from
    the hub in one batch per list page; list counts stop at the cap."""

    def get_values(self, lst, list_columns):
        statuses = erp_statuses(self.session, lst) if "erp" in list_columns else {}
        for item, values in zip(lst, super().get_values(lst, list_columns)):
            if "erp" in list_columns:
                values["erp"] = statuses[item.id]
            yield values


class _OrderViewBase(CustomerPickers, ProductChoices, RecordView):
    datamodel = OrdersWithErp(SalesOrder, eager_relations=("company", "person", "owner",
                                                            "currency"))
    show_template = "sales/order_show.html"
    label_columns = LABELS
    list_columns = LIST
    add_columns = [*FORM, "lead_id"]  # hidden: the opportunity it comes from
    edit_columns = FORM
    show_columns = SHOW
    search_columns = ["number", "company", "person", "owner", "team", "order_date", "state"]
    order_columns = ["number", "order_date", "validity_date"]
    base_order = ("id", "desc")
    formatters_columns = {"state": state_badge, "erp": erp_badges,
                          "cancel_status": cancel_badge}
    add_form_extra_fields = {"lead_id": HiddenField()}

    # --- forms ----------------------------------------------------------------------
    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        if request.method == "GET":
            self._prefill_new(form)
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def _prefill_new(self, form) -> None:
        """Defaults of a new quotation; from ?lead_id= the opportunity's customer,
        owner, team and currency (the lead is read through the record rules)."""
        form.order_date.data = today()  # the reader's day
        form.validity_date.data = form.order_date.data + timedelta(days=VALIDITY_DAYS)
        try:
            form.currency.data = base_currency(db.session)
        except MissingRate:
            pass
        lead = self._lead_from(request.args.get("lead_id"))
        if lead is None:
            return
        form.lead_id.data = str(lead.id)
        form.company.data, form.person.data = lead.company, lead.person
        form.owner.data, form.team.data = lead.owner, lead.team
        if lead.currency is not None:
            form.currency.data = lead.currency

    @staticmethod
    def _lead_from(raw) -> Lead | None:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            return None
        return db.session.scalars(select(Lead).where(Lead.id == pk)).first()

    def pre_add(self, item):
        raw = getattr(item, "lead_id", None)
        item.lead_id = None
        if raw not in (None, ""):
            lead = self._lead_from(raw)
            if lead is None:
                raise ValueError(gettext("No such opportunity, or you may not see it."))
            item.lead = lead
        self._check_header(item)

    def post_add(self, item):
        g.sales_added_order = item  # the new quotation's page is where lines are added

    def post_add_redirect(self):
        order = g.pop("sales_added_order", None)
        return redirect(self._show_url(order)) if order is not None else super().post_add_redirect()

    def pre_update(self, item):
        refuse_if_locked(item)
        self._check_header(item)

    def pre_delete(self, item):
        refuse_if_locked(item)

    @staticmethod
    def _check_header(item):
        if item.company is None and item.person is None:
            raise ValueError(gettext("Choose a customer: a company or a person."))
        if item.validity_date and item.order_date and item.validity_date < item.order_date:
            raise ValueError(gettext("The validity date is before the order date."))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """A confirmed or cancelled order is not editable: say so on its page."""
        order = self.datamodel.get(self._deserialize_pk_if_composite(pk))
        if order is not None and order.state not in EDITABLE:
            flash(str(OrderLocked(_locked_text(order))), "danger")
            return redirect(self._show_url(order))
        return super().edit(pk)

    # --- show page ------------------------------------------------------------------
    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        """FAB's show widget with the lifecycle fields this order has."""
        widgets = widgets or {}
        columns = [c for c in self.show_columns
                   if c not in SHOWN_WHEN_SET or getattr(item, c, None) not in (None, "")]
        widgets["show"] = self.show_widget(
            pk=pk, label_columns=self.label_columns, include_columns=columns,
            value_columns=self.datamodel.get_values_item(item, columns),
            formatters_columns=self.formatters_columns, actions=actions or self.actions,
            fieldsets=show_fieldsets or self.show_fieldsets,
            modelview_name=self.__class__.__name__)
        return widgets

    def show_extras(self, pk) -> dict:
        order = self.datamodel.get(pk)
        if order is None:
            return {}
        sync = order_sync(db.session, order)
        may_change = may_write(db.session, order) and self.appbuilder.sm.has_access(
            "can_edit", self.class_permission_name)
        return {"order": order, "endpoint": self.endpoint, "money": money,
                "number": format_number,
                "state_badge": state_badge, "cancel_badge": cancel_badge,
                "erp_status": erp_status(order, sync), "job_url": _job_url,
                "erp_problems": erp_problems(latest_jobs(sync)),
                "may_resolve": self.appbuilder.sm.has_access("can_retry", "HubJobView"),
                "editable": order.state in EDITABLE and may_change,
                "may_act": may_change,
                "taxes": db.session.scalars(select(Tax).where(Tax.active)
                                            .order_by(Tax.name)).all()}

    def _show_url(self, order: SalesOrder) -> str:
        view = "QuotationView" if order.state in EDITABLE else "OrderView"
        return url_for(f"{view}.show", pk=order.id)

    def _order_or_404(self, pk) -> SalesOrder:
        order = order_states.load_for_update(db.session, pk)
        if order is None:
            abort(404)
        return order

    def _act(self, pk, move, *args, done: str):
        order = self._order_or_404(pk)
        try:
            warnings = move(db.session, order, *args) or []  # confirm's, from other addons
            db.session.commit()
        except (order_states.OrderStateError, order_states.OrderCheckError,
                AccessDenied) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: the order was changed by someone else meanwhile; "
                          "reload and try again."), "danger")
        else:
            flash(done, "success")
            for warning in warnings:
                flash(warning, "warning")
        db.session.expire_all()
        order = db.session.get(SalesOrder, pk)
        return redirect(self._show_url(order) if order is not None else url_for(
            f"{self.endpoint}.list"))

    @expose("/send/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("send")
    def send(self, pk):
        return self._act(pk, order_states.send, done=gettext("Marked as sent."))

    @expose("/confirm/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("confirm")
    def confirm(self, pk):
        return self._act(pk, order_states.confirm, done=gettext("Order confirmed."))

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("cancel")
    def cancel(self, pk):
        order = self._order_or_404(pk)
        requested = order.state == CONFIRMED and order_states.erp_sync.known_to_an_erp(
            db.session, order)
        return self._act(pk, order_states.cancel, request.form.get("reason", ""),
                         done=gettext("Cancellation requested: the order stays confirmed until "
                                      "the ERP has cancelled it.") if requested
                         else gettext("Cancelled."))

    @expose("/reset/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("cancel")
    def reset(self, pk):
        return self._act(pk, order_states.reset_to_draft,
                         done=gettext("Back to quotation."))

    @expose("/lines/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def lines(self, pk):
        """The line editor's form: changed, removed and one added line."""
        order = self._order_or_404(pk)
        if not may_write(db.session, order):
            abort(403)
        try:
            changes, removed, added = _line_form(request.form, order)
            edit_lines(db.session, order, changes, removed, added)
            db.session.commit()
        except (OrderInputError, OrderLocked) as exc:
            db.session.rollback()
            flash(gettext("Lines not saved: %(why)s", why=str(exc)), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: the order was changed by someone else meanwhile; "
                          "reload and try again."), "danger")
        else:
            flash(gettext("Lines saved."), "success")
        return redirect(self._show_url(order) + "#order-lines")


def _locked_text(order: SalesOrder) -> str:
    return gettext("%(number)s is %(state)s: a confirmed or cancelled order cannot be "
                   "changed (cancel it to stop it).", number=order.number,
                   state=STATE_LABELS.get(order.state, order.state))


def _line_form(form, order: SalesOrder):
    """Read `line-<id>-<field>` inputs, `line-<id>-remove` boxes and the
    `new-<field>` row into what services/orders/order_input.edit_lines takes."""
    changes, removed = {}, set()
    for line in order.lines:
        prefix = f"line-{line.id}-"
        if form.get(prefix + "remove"):
            removed.add(line.id)
            continue
        item = {}
        for field in ("quantity", "unit_price", "discount", "description"):
            if prefix + field in form:
                item[field] = form.get(prefix + field).strip()
        if prefix + "tax_id" in form:
            raw = form.get(prefix + "tax_id")
            item["tax_id"] = int(raw) if raw.isdigit() else None
        if item:
            changes[line.id] = item
    added = []
    product = form.get("new-product_id", "").strip()
    if product:
        item = {"product_id": int(product) if product.isdigit() else product,
                "quantity": form.get("new-quantity", "").strip() or "1"}
        for field in ("unit_price", "discount", "description"):
            value = form.get(f"new-{field}", "").strip()
            if value:
                item[field] = value
        added.append(item)
    return changes, removed, added


class QuotationView(_OrderViewBase):
    """Sales > Quotations: drafts and sent quotations."""
    list_title = _l("Quotations")
    show_title = _l("Quotation")
    add_title = _l("New quotation")
    edit_title = _l("Edit quotation")
    base_filters = [["state", FilterInFunction, lambda: (DRAFT, SENT)]]


class OrderView(_OrderViewBase):
    """Sales > Orders: confirmed and cancelled orders (read-only)."""
    list_title = _l("Sales orders")
    show_title = _l("Sales order")
    base_filters = [["state", FilterInFunction, lambda: (CONFIRMED, CANCELLED)]]
    base_permissions = ["can_list", "can_show", "can_cancel", "can_edit",
                        "can_product_choices", "can_company_choices", "can_person_choices"]


class CancellationView(_OrderViewBase):
    """Sales > Cancellations: confirmed orders whose cancellation an ERP has
    not confirmed yet (pending) or refused, with who asked, why, and the
    ERP's reason (Finance's list)."""
    list_title = show_title = _l("Cancellations")
    base_filters = [["cancel_status", FilterInFunction,
                     lambda: (CANCEL_PENDING, CANCEL_REFUSED)]]
    base_permissions = ["can_list", "can_show"]
    list_columns = ["number", "customer", "total", "cancel_status", "cancel_requested_at",
                    "cancel_requested_by", "cancel_reason", "cancel_refusal", "erp"]
    search_columns = ["number", "company", "person", "cancel_status", "cancel_requested_at"]
    order_columns = ["number", "cancel_requested_at"]
    base_order = ("cancel_requested_at", "desc")
