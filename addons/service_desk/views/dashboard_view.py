"""Service desk > Dashboard: satisfaction ratings per team and per agent
over the last N days and the backlog per team by age, each as a chart (the
locally served Chart.js) with the same numbers in a table. Every desk user
opens it; the record rules decide which tickets (and so which ratings) the
figures count: an agent sees their teams'."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.db import db

from ..models import Ticket
from ..services.dashboard import dashboard
from .labels import AGE_LABELS


class DeskDashboardView(BaseView):
    route_base = "/desk/dashboard"
    default_view = "show_dashboard"
    # the permission follows Ticket's access rows (read); record rules narrow the figures
    datamodel = SQLAInterface(Ticket)
    method_permission_name = {"show_dashboard": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def show_dashboard(self):
        days = min(max(request.args.get("days", 30, type=int), 1), 366)
        now = datetime.utcnow()
        data = dashboard(db.session, now - timedelta(days=days), now)
        return self.render_template("service_desk/dashboard.html", data=data, days=days,
                                    age_labels={k: str(v) for k, v in AGE_LABELS.items()})
