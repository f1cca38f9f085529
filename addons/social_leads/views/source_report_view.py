"""The source report (Sales > Lead sources): per channel and campaign, the
leads created in a period (local days, from..to inclusive; this month by
default), how many became opportunities and were won, the won revenue, and
the submissions received. Record rules apply to every figure: a salesperson
counts their own leads, a manager their team's. A bar chart per channel,
drawn with the Chart.js Crossdock serves itself."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext

from core.db import db
from core.user_time import period, utc_bounds

from ..models import LeadTouch
from ..services.channel_names import label_of
from ..services.source_report import source_report, totals_by_channel


def _day(name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return default


class SourceReportView(BaseView):
    route_base = "/social_leads/sources"
    default_view = "show_report"
    # the permission follows LeadTouch's access rows (read: the sales roles); the
    # record rules on Lead narrow the figures
    datamodel = SQLAInterface(LeadTouch)
    method_permission_name = {"show_report": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def show_report(self):
        first, last = period("month")
        first, last = _day("from", first), _day("to", last)
        problem = None
        if first > last:
            problem = gettext("The period ends before it starts.")
            lines = []
        else:
            lines = source_report(db.session, *utc_bounds(first, last))
        totals = totals_by_channel(lines)
        chart = {"labels": [str(label_of(c)) for c in totals],
                 "leads": [t["leads"] for t in totals.values()],
                 "converted": [t["converted"] for t in totals.values()],
                 "won": [t["won"] for t in totals.values()],
                 "names": {"leads": gettext("Leads"), "converted": gettext("Opportunities"),
                           "won": gettext("Won")}}
        return self.render_template("social_leads/source_report.html", lines=lines,
                                    first=first, last=last, problem=problem, chart=chart,
                                    label_of=label_of)
