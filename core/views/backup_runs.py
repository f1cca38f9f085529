"""Settings > Backups (Admin): every backup taken and why one failed, and
the start page's tile that says when the last good one was."""
from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..backup.figures import backup_state
from ..backup.history import BackupRun
from ..backup.settings import BackupSettings
from ..db import db
from ..home_tiles import Figure, Line, Tile

TRIGGERS = {"command": _l("crossdock backup"), "schedule": _l("Scheduled")}


def _size(value) -> str:
    return "" if value is None else f"{value / 1_048_576:,.1f} MB"


class BackupRunView(ModelView):
    datamodel = SQLAInterface(BackupRun)
    base_permissions = ["can_list", "can_show"]
    base_order = ("finished_at", "desc")
    list_columns = ["finished_at", "trigger", "host", "path", "size_bytes", "error"]
    show_columns = ["started_at", "finished_at", "trigger", "host", "path", "size_bytes", "error"]
    search_columns = ["finished_at", "trigger", "host", "error"]
    label_columns = {"started_at": _l("Started"), "finished_at": _l("Finished"),
                     "trigger": _l("Taken by"), "host": _l("Machine"), "path": _l("File"),
                     "size_bytes": _l("Size"), "error": _l("Error")}
    formatters_columns = {"trigger": lambda v: TRIGGERS.get(v, v), "size_bytes": _size}
    list_title = _l("Backups")
    show_title = _l("Backup")


def backup_tile() -> Tile | None:
    if not current_app.appbuilder.sm.has_access("can_list", "BackupRunView"):
        return None
    every = current_app.extensions["crossdock"].settings.section(BackupSettings).backup_every_hours
    state = backup_state(db.session)
    if state.last is None and every <= 0:
        return None  # no backups taken or planned: nothing to say
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    last_good = (gettext("%(n)d h ago", n=(now - state.last_success).total_seconds() // 3600)
                 if state.last_success else gettext("none"))
    figures = [Figure(gettext("Last good backup"), last_good,
                      alert=state.overdue(every, now) or state.last_success is None)]
    lines = []
    if state.last is not None and not state.last.ok:
        lines.append(Line(gettext("The last backup failed: %(reason)s",
                                  reason=state.last.error[:120]),
                          url_for("BackupRunView.show", pk=state.last.id)))
    return Tile(gettext("Backups"), url_for("BackupRunView.list"), figures, lines=lines)
