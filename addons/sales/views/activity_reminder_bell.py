"""The reminder bell in the navbar: "🔔 n" with the current user's due
reminders, refreshed by polling /sales/activities/reminders.

FAB renders a menu entry as ``{{ _(item.label) }}``; gettext hands back an
object it does not know unchanged, and Jinja renders an object with
``__html__`` as markup. So the label is a ReminderLabel computed at render
time (one indexed COUNT per page, only for users who may read activities:
FAB hides the entry from others before rendering it). The entry links to a
page listing the due reminders.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from markupsafe import Markup, escape

from core.db import db
from core.security.actor import current_actor

from ..models.activity import Activity
from ..services.activities.activity_reminders import due_count, due_reminders
from ..services.activities.scheduling import today
from .activity_my import SECTION_ROWS
from .activity_panel import row_context
from .activity_view import KIND_LABELS

SCRIPT = "activity_reminders.js"


def _count() -> int:
    if "_sales_reminder_count" not in g:
        user_id = current_actor().user_id
        g._sales_reminder_count = due_count(db.session, user_id) if user_id else 0
    return g._sales_reminder_count


class ReminderLabel:
    """The bell's menu label (see the module docstring)."""

    def __str__(self) -> str:
        return gettext("Reminders")

    def __html__(self) -> str:
        if not has_request_context():
            return str(escape(str(self)))
        count = _count()
        nonce = current_app.jinja_env.globals.get("csp_nonce")
        nonce_attr = f' nonce="{escape(nonce())}"' if nonce else ""
        script = url_for("addon_static_sales.static", filename=SCRIPT)
        return Markup(
            f'<span class="sr-only">{escape(gettext("Reminders"))}</span>'
            f'<span class="badge sales-reminder-count" id="sales-reminder-count" '
            f'data-url="{escape(url_for("MyActivitiesView.reminders"))}"'
            f'{"" if count else " hidden"}>{count}</span>'
            f'<script src="{escape(script)}"{nonce_attr}></script>')


class ReminderView(BaseView):
    route_base = "/sales/reminders"
    default_view = "due"
    datamodel = SQLAInterface(Activity)  # ties the FAB permissions to access.csv

    @expose("/", methods=["GET"])
    @has_access
    @permission_name("list")
    def due(self):
        user_id = current_actor().user_id
        rows = due_reminders(db.session, user_id, limit=SECTION_ROWS)
        return self.render_template(
            "sales/activity_my.html", kind_labels=KIND_LABELS, day=today(), back="/sales/reminders/",
            **row_context(),
            sections=[("reminders", gettext("Due reminders"), rows,
                       due_count(db.session, user_id))],
            title=gettext("Reminders"))
