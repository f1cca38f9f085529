"""The dashboard's figures kept per reader and filter while the sales data
stands still, and for a minute at most.

A Sales Manager's dashboard aggregates the whole team's pipeline: four
GROUP BY queries over tens of thousands of opportunities, ~55 ms of database
time, on every reload (bench/page_cost.py). The figures change only when
the data under them does, and every ORM write is audited in its own
transaction (core/security/audit.py), so the newest audit id over the models
the figures read is the data's version: one indexed read per request
(index ix_crossdock_audit_log_model_id). Audit ids are handed out at insert
and committed in another order, so a change committed after a younger one
may not move the version; that, and writes that bypass the ORM, are what
KEEP_SECONDS bounds. The key holds everything else the figures depend on:
the reader's record-rule view (user, roles, teams, teammates), the filter
(with its "today"), the reader's time zone and language.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app
from flask_babel import get_timezone
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from core.i18n import current_locale
from core.security.audit import AuditLog
from core.security.record_rules import rule_actor

from .sales_dashboard import DashboardFilter, as_json, dashboard

KEEP_SECONDS = 60
MAX_ENTRIES = 512
# what the figures read: opportunities, activities, stages, currencies and rates,
# lost reasons, team names (user names are not watched: a renamed user shows
# under the old name until the entry expires)
WATCHED = ("Lead", "Activity", "Stage", "Currency", "CurrencyRate", "LostReason", "Team")

_lock = threading.Lock()


def _kept() -> OrderedDict:
    """This app's entries (an app is one database: tests build many per process)."""
    return current_app.extensions.setdefault("sales_dashboard_cache", OrderedDict())


def data_version(session: Session) -> int:
    """The newest audit id of the watched models: one index probe per model."""
    newest = union_all(*(select(func.max(AuditLog.id).label("id"))
                         .where(AuditLog.model == model) for model in WATCHED)).subquery()
    return session.scalar(select(func.max(newest.c.id)),
                          execution_options={"skip_record_rules": True}) or 0


def dashboard_json(session: Session, f: DashboardFilter) -> dict:
    """as_json(dashboard(session, f)), from the cache when still good."""
    actor = rule_actor(session)
    key = (actor.user_id, actor.roles, actor.team_ids, actor.team_member_ids, f,
           str(get_timezone()), current_locale())
    version = data_version(session)
    now = time.monotonic()
    entries = _kept()
    with _lock:
        kept = entries.get(key)
        if kept is not None and kept[0] == version and now - kept[1] < KEEP_SECONDS:
            entries.move_to_end(key)
            return kept[2]
    data = as_json(dashboard(session, f))
    with _lock:
        entries[key] = (version, now, data)
        while len(entries) > MAX_ENTRIES:
            entries.popitem(last=False)
    return data
