"""Integrations > Sync dashboard (Admin and Finance): the figures of
views/figures.py as tables and a throughput chart (the locally served
Chart.js), filtered by backend and kind; /hub/dashboard/data answers the
same numbers as JSON (what a monitor or a test polls)."""
from __future__ import annotations

from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from core.db import db

from ..models import Backend
from .figures import JobFilter, dashboard
from .job_view import state_badge

# why a synced record needs a look (hub_binding.attention), as people read it
ATTENTION_LABELS = {"totals_differ": _l("totals differ")}


def read_filter(args) -> tuple[JobFilter, list[str]]:
    errors = []
    backend_id = None
    raw = (args.get("backend") or "").strip()
    if raw:
        if raw.isdigit():
            backend_id = int(raw)
        else:
            errors.append(gettext("backend: '%(value)s' is not a record id.", value=raw))
    attention = (args.get("attention") or "").strip() or None
    if attention and attention not in ATTENTION_LABELS:
        errors.append(gettext("attention: '%(value)s' is not a reason.", value=attention))
    return JobFilter(backend_id=backend_id, kind=(args.get("kind") or "").strip() or None,
                     attention=attention), errors


class HubDashboardView(BaseView):
    route_base = "/hub/dashboard"
    default_view = "dashboard"
    method_permission_name = {"dashboard": "list", "data": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def dashboard(self):
        flt, errors = read_filter(request.args)
        data = None if errors else dashboard(db.session, flt)
        backends = db.session.execute(select(Backend.id, Backend.name)
                                      .order_by(Backend.name)).all()
        may_retry = self.appbuilder.sm.has_access("can_retry", "HubJobView")
        return self.render_template(
            "hub/dashboard.html", data=data, errors=errors, backends=backends,
            args={k: request.args.get(k, "") for k in ("backend", "kind", "attention")},
            attention_labels=ATTENTION_LABELS,
            badge=state_badge, may_retry=may_retry, here=request.full_path.rstrip("?"),
        ), (400 if errors else 200)

    @expose("/data", methods=["GET"])
    @has_access
    def data(self):
        flt, errors = read_filter(request.args)
        if errors:
            return jsonify({"errors": errors}), 400
        return jsonify(dashboard(db.session, flt))
