"""Invoicing > Reconciliation (对账): a backend and a period in, the
differences out (services/reconciliation/), each with its re-sync button (a
POST with CSRF, audited). Finance and Admin only: the view's permissions
follow InvoiceSequence's access rows, which only Finance reads (Admin all),
so the menu is hidden from the other roles and the URLs answer 403."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext

from connectors.errors import RemoteError
from core.db import db

from ..models.invoice_sequence import InvoiceSequence
from ..services.finance_sync.modes import mode_of
from ..services.reconciliation.reconcile import ReconcileRefused, erp_backends, reconcile
from ..services.reconciliation.resync import PUSH, resync, resync_action
from .invoice_labels import (AMOUNT_LABELS, DIFFERENCE_LABELS, REMOTE_STATE_LABELS,
                             STATE_LABELS)

MAX_ROWS = 1000  # a page stays readable; the command's --csv has them all


def _day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else default
    except ValueError:
        return default


def _period(args) -> tuple[date, date]:
    today = date.today()
    return _day(args.get("from"), today.replace(day=1)), _day(args.get("to"), today)


class ReconciliationView(BaseView):
    route_base = "/invoicing/reconciliation"
    default_view = "reconciliation"
    datamodel = SQLAInterface(InvoiceSequence)  # Finance-only access rows (see above)
    class_permission_name = "ReconciliationView"
    method_permission_name = {"reconciliation": "list", "resync": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def reconciliation(self):
        backends = erp_backends(db.session)
        first, last = _period(request.args)
        chosen = next((b for b in backends if str(b.id) == request.args.get("backend")), None)
        context = dict(backends=[(b.id, b.name) for b in backends], first=first, last=last,
                       chosen=chosen.id if chosen else None, result=None, error=None,
                       rows=[], max_rows=MAX_ROWS)
        if chosen is not None:
            mode = mode_of(chosen.options_json)
            try:
                result = reconcile(db.session, chosen, first, last)
            except (ReconcileRefused, RemoteError) as exc:
                db.session.rollback()
                context["error"] = str(exc)
            else:
                context["result"] = result
                context["rows"] = [
                    (d, resync_action(d.kind, d.origin, d.amounts, mode))
                    for d in result.differences[:MAX_ROWS]]
        return self.render_template(
            "invoicing_link/reconciliation.html", kinds=DIFFERENCE_LABELS,
            amounts=AMOUNT_LABELS, our_states=STATE_LABELS, their_states=REMOTE_STATE_LABELS,
            **context)

    @expose("/resync", methods=["POST"])
    @has_access
    def resync(self):
        form = request.form
        back = url_for(".reconciliation", backend=form.get("backend"), **{
            "from": form.get("from"), "to": form.get("to")})
        backend = next((b for b in erp_backends(db.session)
                        if str(b.id) == form.get("backend")), None)
        if backend is None:
            flash(gettext("No such backend."), "danger")
            return redirect(back)
        invoice_id = int(form["invoice_id"]) if form.get("invoice_id", "").isdigit() else None
        amounts = tuple(a for a in form.get("amounts", "").split(",") if a in AMOUNT_LABELS)
        try:
            action = resync(db.session, backend, form.get("kind", ""), invoice_id,
                            form.get("external_id", ""), amounts)
        except (ReconcileRefused, RemoteError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(back)
        flash(gettext("Sent again: the push is queued; reconcile again once it is done.")
              if action == PUSH else gettext("Read again from the finance system."), "success")
        return redirect(back)
