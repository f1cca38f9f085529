"""Sales > Dashboard: the figures of services/reporting/sales_dashboard as charts (the
locally served Chart.js) with the same numbers in tables, filtered by GET
parameters (team, owner, from, to, or period: today, week, month, quarter or
year, the reader's, core/user_time.py); /sales/dashboard/data answers them as JSON."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from core.db import db
from core.security.actor import current_actor
from core.security.record_rules import rule_actor, scope_for
from core.security.teams import Team, team_member
from core.user_time import PERIODS, period

from ..models import Lead
from ..services.catalog.currency_rates import MissingRate
from ..services.reporting.dashboard_cache import dashboard_json
from ..services.reporting.sales_dashboard import DashboardFilter, user_names

FIELDS = ("team", "owner", "from", "to", "period")
PERIOD_LABELS = (("today", _l("Today")), ("week", _l("This week")), ("month", _l("This month")),
                 ("quarter", _l("This quarter")), ("year", _l("This year")))


def grouped(amount: str) -> str:
    """An amount as the page shows it: thousands grouped ("1,800.00")."""
    return f"{Decimal(amount):,}"


def read_filter(args) -> tuple[DashboardFilter, dict[str, str]]:
    """The filter from GET parameters, and an error per malformed field."""
    errors: dict[str, str] = {}
    values: dict = {}
    for name, key in (("team", "team_id"), ("owner", "owner_id")):
        raw = (args.get(name) or "").strip()
        if raw:
            if raw.isdigit():
                values[key] = int(raw)
            else:
                errors[name] = gettext("%(field)s: '%(value)s' is not a record id.",
                                       field=name, value=raw)
    for name, key in (("from", "date_from"), ("to", "date_to")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[key] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = gettext("%(field)s: '%(value)s' is not a date (YYYY-MM-DD).",
                                       field=name, value=raw)
    raw = (args.get("period") or "").strip()
    if raw in PERIODS:  # the reader's today, month...: explicit from/to win
        first, last = period(raw)
        values.setdefault("date_from", first)
        values.setdefault("date_to", last)
    elif raw:
        errors["period"] = gettext("%(field)s: '%(value)s' is not a period (%(choices)s).",
                                   field="period", value=raw, choices=", ".join(PERIODS))
    if values.get("date_from") and values.get("date_to") and \
            values["date_from"] > values["date_to"]:
        errors["to"] = gettext("to: the period ends before it starts.")
    return DashboardFilter(**values), errors


def filter_choices(session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Teams and salespeople the reader may pick: everyone's for a reader of
    all opportunities, else the reader's teams and their members (a
    Salesperson: only themself). Picking outside that only yields zeros."""
    actor = current_actor()
    scope = scope_for(Lead, actor, "read")
    if scope == "all":
        teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    else:
        mine = rule_actor(session, actor).team_ids  # read once per request
        teams = session.execute(select(Team.id, Team.name).where(Team.id.in_(mine))
                                .order_by(Team.name)).all()
    if scope == "own":
        user_ids = {actor.user_id}
    else:
        user_ids = set(session.scalars(select(team_member.c.user_id).where(
            team_member.c.team_id.in_([t[0] for t in teams])))) | {actor.user_id}
    owners = sorted(user_names(session, user_ids).items(), key=lambda o: o[1])
    return [tuple(t) for t in teams], owners


class SalesDashboardView(BaseView):
    route_base = "/sales/dashboard"
    default_view = "dashboard"
    # the permissions follow Lead's access rows (read); record rules narrow the figures
    datamodel = SQLAInterface(Lead)
    method_permission_name = {"dashboard": "list", "data": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def dashboard(self):
        flt, errors = read_filter(request.args)
        data = None
        if not errors:
            try:
                data = dashboard_json(db.session, flt)
            except MissingRate as exc:  # no base currency: say so instead of a 500
                errors["currency"] = str(exc)
        teams, owners = filter_choices(db.session)
        args = {k: request.args.get(k, "") for k in FIELDS}
        if not errors:  # a period's days shown in the from/to boxes
            args["from"] = flt.date_from.isoformat() if flt.date_from else ""
            args["to"] = flt.date_to.isoformat() if flt.date_to else ""
        return self.render_template(
            "sales/dashboard.html", data=data, errors=errors, teams=teams, owners=owners,
            args=args, as_of=flt.as_of, grouped=grouped, periods=PERIOD_LABELS,
        ), (200 if not errors else 409 if "currency" in errors else 400)

    @expose("/data", methods=["GET"])
    @has_access
    def data(self):
        flt, errors = read_filter(request.args)
        if errors:
            return jsonify({"errors": errors}), 400
        try:
            return jsonify(dashboard_json(db.session, flt))
        except MissingRate as exc:
            return jsonify({"errors": {"currency": str(exc)}}), 409
