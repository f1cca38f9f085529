"""Invoicing > Credit limits (Finance writes; others read), Credit holds (the
quotations the limit holds, each with Finance's Release) and Credit releases
(the releases made, read only); services/credit/."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from addons.contacts.views.company_picker import CompanyPicker
from addons.sales.services.orders import order_states
from core.db import db
from core.views.record_view import RecordView

from ..models.credit import CreditLimit, CreditRelease
from ..services.credit import credit_check
from ..services.credit.holds import SHOWN, held_quotations, quotation_past_rules

LIMIT_LABELS = {"company": _l("Company"), "tier": _l("Tier"),
                "amount": _l("Credit limit (base currency)"), "note": _l("Notes")}
RELEASE_LABELS = {"order": _l("Sales order"), "amount_total": _l("Order total"),
                  "currency": _l("Currency"), "over_by": _l("Over the limit by"),
                  "reason": _l("Reason"), "released_at": _l("Released at"),
                  "released_by": _l("Released by")}


class CreditLimitView(CompanyPicker, RecordView):  # searches companies as one types
    datamodel = SQLAInterface(CreditLimit)
    list_title = _l("Credit limits")
    add_title = _l("Add credit limit")
    edit_title = _l("Edit credit limit")
    show_title = _l("Credit limit")
    label_columns = LIMIT_LABELS
    list_columns = add_columns = edit_columns = show_columns = [
        "company", "tier", "amount", "note"]
    search_columns = ["tier", "amount"]  # a company filter would list every company
    base_order = ("id", "desc")
    description_columns = {
        "company": _l("A company's own limit wins over its tier's"),
        "tier": _l("The default limit of the tier's companies"),
        "amount": _l("Open invoices plus confirmed orders not yet invoiced, in the base "
                     "currency; 0: no credit")}

    def pre_add(self, item):
        _one_of_company_or_tier(item)

    def pre_update(self, item):
        _one_of_company_or_tier(item)


def _one_of_company_or_tier(item: CreditLimit) -> None:
    if (item.company is None) == (item.tier is None):
        raise ValueError(gettext("Give either a company or a tier, not both."))
    if item.amount is None or item.amount < 0:
        raise ValueError(gettext("The credit limit is an amount of 0 or more."))


class CreditReleaseView(RecordView):
    datamodel = SQLAInterface(CreditRelease)
    list_title = _l("Credit releases")
    show_title = _l("Credit release")
    label_columns = RELEASE_LABELS
    list_columns = show_columns = ["order", "amount_total", "currency", "over_by", "reason",
                                   "released_by", "released_at"]
    search_columns = ["released_at"]  # an order filter would list every order
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show"]  # made on Credit holds, never changed


class CreditHoldsView(BaseView):
    """Finance's list of quotations held by the credit limit, each with Release."""
    route_base = "/invoicing/credit_holds"
    default_view = "holds"
    datamodel = SQLAInterface(CreditRelease)  # the permissions follow its access rows
    class_permission_name = "CreditHoldsView"
    method_permission_name = {"holds": "release", "release": "release"}

    @expose("/", methods=["GET"])
    @has_access
    def holds(self):
        return self.render_template("invoicing_link/credit_holds.html",
                                    holds=held_quotations(db.session), shown=SHOWN)

    @expose("/release/<int:order_id>", methods=["POST"])
    @has_access
    def release(self, order_id):
        order = quotation_past_rules(db.session, order_id)
        if order is None:
            abort(404)
        try:
            credit_check.release(db.session, order, request.form.get("reason", ""))
            db.session.commit()
        except (order_states.OrderStateError, order_states.OrderCheckError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except SQLAlchemyError:
            db.session.rollback()
            flash(gettext("Not saved: changed by someone else meanwhile; reload and try "
                          "again."), "danger")
        else:
            flash(gettext("Released: %(number)s may be confirmed up to its total now.",
                          number=order.number), "success")
        return redirect(url_for(f"{self.endpoint}.holds"))
