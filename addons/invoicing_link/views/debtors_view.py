"""Invoicing > Debtors (欠款): who owes what, largest first, by age, in the
base currency (services/debts/debtors.py), with filters (owner, team,
overdue only) as GET parameters and the same rows as CSV (`?format=csv`).
Readers of invoices see the companies of the invoices they may read."""
from __future__ import annotations

import csv
import io

from flask import Response, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from sqlalchemy import select

from addons.sales.services.catalog.currency_rates import MissingRate
from core.db import db
from core.security.teams import Team

from ..models.invoice import Invoice
from ..services.debts.balance import BUCKETS
from ..services.debts.debtors import MAX_ROWS, debtors
from .invoice_panels import BUCKET_LABELS


def _int(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


class DebtorsView(BaseView):
    route_base = "/invoicing/debtors"
    default_view = "debtors"
    datamodel = SQLAInterface(Invoice)  # the permissions follow Invoice's access rows
    class_permission_name = "DebtorsView"
    method_permission_name = {"debtors": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def debtors(self):
        owner_id, team_id = _int("owner"), _int("team")
        overdue_only = request.args.get("overdue") == "1"
        try:
            currency, rows = debtors(db.session, owner_id=owner_id, team_id=team_id,
                                     overdue_only=overdue_only)
        except MissingRate as exc:
            return self.render_template("invoicing_link/debtors.html", error=str(exc), rows=[],
                                        currency="", teams=[], args=request.args,
                                        buckets=[], max_rows=MAX_ROWS), 409
        if request.args.get("format") == "csv":
            return _csv(currency, rows)
        teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        return self.render_template(
            "invoicing_link/debtors.html", rows=rows, currency=currency, teams=teams,
            args=request.args, error=None, max_rows=MAX_ROWS,
            buckets=[(k, str(BUCKET_LABELS[k])) for k in BUCKETS])


def _csv(currency: str, rows) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Company"), gettext("Owner"),
                     gettext("Outstanding (%(currency)s)", currency=currency),
                     *(str(BUCKET_LABELS[k]) for k in BUCKETS), gettext("Oldest due date")])
    for d in rows:
        writer.writerow([d.name, d.owner, d.outstanding, *(d.buckets[k] for k in BUCKETS),
                         d.oldest_due.isoformat() if d.oldest_due else ""])
    # UTF-8 with a BOM: Excel opens Chinese names right
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=debtors.csv"})

