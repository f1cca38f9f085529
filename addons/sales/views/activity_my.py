"""My activities (我的活动) and the activity routes every panel posts to, under
/sales/activities:

- GET  /my                      the user's open activities: overdue, today, upcoming
- POST /<pk>/done               mark done with a note (CSRF; puts it on the timeline)
- GET  /reminders               JSON {count, items}: the user's due reminders (polled)
- GET  /of/<parent>/<pk>        a lead's, company's or person's activities
- POST /of/<parent>/<pk>        schedule one there (the panel's inline form)

Contacts does not know sales, so a contact's activities live here, not on
its page. Rows are read through the ORM: the record rules decide what exists.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.db import db
from core.security.actor import current_actor
from core.security.record_rules import AccessDenied

from ..models.activity import Activity
from ..services.activities.activity_reminders import due_count, due_reminders
from ..services.activities.scheduling import ActivityError, mark_done, schedule, today
from .activity_panel import PARENTS, panel_context, parse_schedule_form, row_context
from .activity_view import KIND_LABELS

REMINDER_ITEMS = 10


def safe_next(default: str) -> str:
    """Where to go back to: a path on this site only (no open redirect)."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


SECTION_ROWS = 50  # per section; the Activities list pages through the rest


def sections(user_id: int, day: dt.date) -> list[tuple[str, object, list, int]]:
    """Overdue first, then today, then upcoming, each by due date and time:
    (key, label, its first SECTION_ROWS activities, how many it has)."""
    mine = (Activity.owner_id == user_id, Activity.done_at.is_(None))
    where = {"overdue": Activity.due_date < day, "today": Activity.due_date == day,
             "upcoming": Activity.due_date > day}
    totals = db.session.execute(select(*(func.count().filter(w) for w in where.values()))
                                .select_from(Activity).where(*mine)).one()
    labels = {"overdue": _l("Overdue"), "today": _l("Today"), "upcoming": _l("Upcoming")}
    out = []
    for (key, when), total in zip(where.items(), totals):
        rows = list(db.session.scalars(
            select(Activity).where(*mine, when)
            .options(*(selectinload(r) for r in (Activity.lead, Activity.company,
                                                 Activity.person)))  # each row names one
            .order_by(Activity.due_date, Activity.due_time, Activity.id)
            .limit(SECTION_ROWS))) if total else []
        out.append((key, labels[key], rows, total))
    return out


class MyActivitiesView(BaseView):
    route_base = "/sales/activities"
    default_view = "my"
    datamodel = SQLAInterface(Activity)  # ties the FAB permissions to access.csv
    class_permission_name = "MyActivitiesView"

    def _activity_or_404(self, pk: int) -> Activity:
        activity = db.session.scalars(select(Activity).where(Activity.id == pk)).one_or_none()
        if activity is None:
            abort(404)
        return activity

    @expose("/my", methods=["GET"])
    @has_access
    @permission_name("list")
    def my(self):
        day = today()
        return self.render_template("sales/activity_my.html",
                                    sections=sections(current_actor().user_id, day),
                                    kind_labels={k: str(v) for k, v in KIND_LABELS.items()},
                                    day=day, **row_context(),
                                    title=gettext("My activities"), back=request.full_path)

    @expose("/<int:pk>/done", methods=["POST"])
    @has_access
    @permission_name("done")
    def done(self, pk):
        activity = self._activity_or_404(pk)
        back = safe_next(url_for(f"{self.endpoint}.my"))
        try:
            mark_done(db.session, activity, request.form.get("note"))
        except ActivityError as exc:
            db.session.rollback()
            flash(gettext("Not done: %(why)s", why=exc.message), "warning")
            return redirect(back)
        except AccessDenied:
            db.session.rollback()
            abort(403)
        db.session.commit()
        flash(gettext("Activity done: %(summary)s", summary=activity.summary), "success")
        return redirect(back)

    @expose("/reminders", methods=["GET"])
    @has_access
    @permission_name("list")
    def reminders(self):
        user_id = current_actor().user_id
        items = due_reminders(db.session, user_id, limit=REMINDER_ITEMS)
        return jsonify({
            "count": due_count(db.session, user_id),
            "items": [{"id": a.id, "kind": a.kind, "summary": a.summary,
                       "due_date": a.due_date.isoformat(),
                       "remind_at": a.remind_at.isoformat() + "Z" if a.remind_at else None}
                      for a in items],
            "url": url_for(f"{self.endpoint}.my"),
        })

    @expose("/of/<parent>/<int:pk>", methods=["GET"])
    @has_access
    @permission_name("list")
    def of_record(self, parent, pk):
        record = self._parent_or_404(parent, pk)
        return self.render_template(
            "sales/activity_of.html", record=record, title=gettext("Activities of %(name)s",
                                                                   name=str(record)),
            **panel_context(db.session, record, parent, request.full_path))

    @expose("/of/<parent>/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("add")
    def schedule_on(self, parent, pk):
        record = self._parent_or_404(parent, pk)
        back = safe_next(url_for(f"{self.endpoint}.of_record", parent=parent, pk=pk))
        try:
            schedule(db.session, record, **parse_schedule_form(request.form))
        except ActivityError as exc:
            db.session.rollback()
            flash(gettext("Not scheduled: %(field)s: %(why)s", field=exc.field,
                          why=exc.message), "danger")
            return redirect(back)
        except AccessDenied as exc:
            db.session.rollback()
            flash(gettext("Not scheduled: %(why)s", why=str(exc)), "danger")
            return redirect(back)
        db.session.commit()
        flash(gettext("Activity scheduled."), "success")
        return redirect(back)

    def _parent_or_404(self, parent: str, pk: int):
        model = PARENTS.get(parent)
        if model is None:
            abort(404)
        record = db.session.scalars(select(model()).where(model().id == pk)).one_or_none()
        if record is None:
            abort(404)
        return record
