"""The hub's tiles on the start page (core/home_tiles.py), for whoever may act
on sync jobs (Admin): the backlog (jobs waiting to run, the oldest one's age)
and the failed jobs that wait for someone to fix their data and retry."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from core.db import db
from core.home_tiles import Figure, Line, Tile, add_tile

from ..models import FAILED, SyncJob, utcnow
from .figures import JobFilter, backend_names, backlog, failed_jobs, oldest_waiting

SHOWN_FAILED = 5


def _may_act() -> bool:
    return current_app.appbuilder.sm.has_access("can_retry", "HubJobView")


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return gettext("under a minute")
    if minutes < 120:
        return gettext("%(n)d min", n=minutes)
    return gettext("%(n)d h", n=minutes // 60)


def sync_backlog() -> Tile | None:
    if not _may_act():
        return None
    waiting = backlog(db.session, JobFilter())
    oldest = oldest_waiting(db.session, JobFilter())
    names = backend_names(db.session)
    figures = [Figure(gettext("Waiting jobs"), sum(waiting.values()))]
    if oldest is not None:
        age = _age((utcnow() - oldest).total_seconds())
        figures.append(Figure(gettext("Oldest waiting"), age))
    return Tile(gettext("Sync backlog"), url_for("HubDashboardView.dashboard"), figures,
                lines=[Line(names.get(backend_id, str(backend_id)), note=str(n))
                       for backend_id, n in sorted(waiting.items(), key=lambda i: -i[1])],
                empty=gettext("Nothing waiting."))


def failed_sync_jobs() -> Tile | None:
    if not _may_act():
        return None
    count = db.session.scalar(select(func.count()).where(SyncJob.state == FAILED))
    return Tile(gettext("Failed sync jobs"), url_for("HubJobView.list", state=FAILED),
                [Figure(gettext("Failed"), count, alert=count > 0)],
                lines=[Line(f"#{job.id} {job.kind} {job.model}:{job.record_id}",
                            url_for("HubJobView.show", pk=job.id), (job.last_error or "")[:60])
                       for job in failed_jobs(db.session, JobFilter(), limit=SHOWN_FAILED)],
                empty=gettext("No failed jobs."))


def register_tiles(app) -> None:
    add_tile(app, sync_backlog, order=80)
    add_tile(app, failed_sync_jobs, order=90)
