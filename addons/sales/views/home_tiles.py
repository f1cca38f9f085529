"""The sales tiles of the start page (core/home_tiles.py): the user's
activities due (overdue and today, the first few) and their pipeline in
numbers (open opportunities and expected revenue). The figures are the sales
dashboard's, narrowed to the user as owner and read through the session, so
record rules apply; a user without the screen's permission gets no tile."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import select

from core.db import db
from core.home_tiles import Figure, Line, Tile
from core.security.actor import current_actor

from ..models.activity import Activity
from ..services.activities.scheduling import today
from ..services.catalog.currency_rates import MissingRate, base_currency
from ..services.reporting.sales_dashboard import DashboardFilter, activity_backlog, open_pipeline

SHOWN_ACTIVITIES = 5


def _may(permission: str, view: str) -> bool:
    return current_app.appbuilder.sm.has_access(permission, view)


def _when(activity: Activity) -> str:
    time = f" {activity.due_time:%H:%M}" if activity.due_time else ""
    return f"{activity.due_date.isoformat()}{time}"


def activities_due() -> Tile | None:
    if not _may("can_list", "MyActivitiesView"):
        return None
    user_id, day = current_actor().user_id, today()
    backlog = activity_backlog(db.session, DashboardFilter(owner_id=user_id, as_of=day))
    overdue = sum(row.overdue for row in backlog)
    due_today = sum(row.today for row in backlog)
    first_due = db.session.scalars(
        select(Activity).where(Activity.owner_id == user_id, Activity.done_at.is_(None),
                               Activity.due_date <= day)
        .order_by(Activity.due_date, Activity.due_time, Activity.id).limit(SHOWN_ACTIVITIES))
    return Tile(gettext("My activities due"), url_for("MyActivitiesView.my"),
                figures=[Figure(gettext("Overdue"), overdue, alert=overdue > 0),
                         Figure(gettext("Today"), due_today)],
                lines=[Line(a.summary, url_for("ActivityView.show", pk=a.id), _when(a))
                       for a in first_due],
                empty=gettext("Nothing due today."))


def my_pipeline() -> Tile | None:
    if not _may("can_list", "OpportunityView"):
        return None
    title, url = gettext("My pipeline"), url_for("OpportunityView.list")
    try:
        base = base_currency(db.session)
        count, revenue = open_pipeline(
            db.session, DashboardFilter(owner_id=current_actor().user_id, as_of=today()))
    except MissingRate as exc:
        return Tile(title, url, empty=str(exc))
    return Tile(title, url,
                figures=[Figure(gettext("Open opportunities"), count),
                         Figure(gettext("Expected revenue"), f"{revenue.value:,} {base.code}")],
                lines=[Line(gettext("%(amount)s (no rate)", amount=f"{amount:,} {code}"))
                       for code, amount in sorted(revenue.unconverted.items())])
