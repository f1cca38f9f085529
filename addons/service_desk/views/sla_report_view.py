"""The SLA report screen (Service desk > SLA report): per team or per agent,
the tickets created in the last N days, and each team's backlog by age. A team's manager (its desk settings)
sees their teams; Admin and Read-only every team; another agent none (there
is no "Support Manager" role: managing is a team setting). Record rules
apply to the figures as to every query."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from core.db import db
from core.security.actor import current_actor
from core.security.teams import Team

from ..models import DeskTeam, Ticket
from .labels import AGE_LABELS
from ..services.sla.report import AGES, backlog, report

EVERY_TEAM = ("Admin", "Read-only")


def teams_reported(session, actor) -> list[int] | None:
    """The teams the reader's report covers (None: all)."""
    if actor.is_system or set(actor.roles) & set(EVERY_TEAM):
        return None
    return list(session.scalars(select(DeskTeam.team_id)
                                .where(DeskTeam.manager_id == actor.user_id)))


class SlaReportView(BaseView):
    route_base = "/sla_report"
    default_view = "show_report"
    # the permission follows Ticket's access rows (read); record rules narrow the figures
    datamodel = SQLAInterface(Ticket)
    method_permission_name = {"show_report": "list"}

    @expose("/", methods=["GET"])
    @has_access
    def show_report(self):
        by = "agent" if request.args.get("by") == "agent" else "team"
        days = min(max(request.args.get("days", 30, type=int), 1), 366)
        until = datetime.utcnow()
        teams = teams_reported(db.session, current_actor())
        lines = [] if teams == [] else report(db.session, by, until - timedelta(days=days),
                                                until, teams)
        queue = [] if teams == [] else backlog(db.session, until, teams)
        model = Team if by == "team" else User
        ids = [line.key for line in lines if line.key is not None]
        names = dict(db.session.execute(select(model.id, model.name if by == "team"
                                               else model.username).where(model.id.in_(ids)))
                     .all()) if ids else {}
        team_ids = [b.team_id for b in queue if b.team_id is not None]
        team_names = dict(db.session.execute(select(Team.id, Team.name)
                                             .where(Team.id.in_(team_ids))).all()) if team_ids else {}
        return self.render_template("service_desk/sla_report.html", lines=lines, names=names,
                                    by=by, days=days, manages=teams != [], backlog=queue,
                                    team_names=team_names, ages=[key for _, key in AGES],
                                    age_labels=AGE_LABELS)
