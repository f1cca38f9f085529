"""The instance's scheduled backups, asked for by the elected scheduler
(CROSSDOCK_BACKUP_EVERY_HOURS; the backup itself is core's: core/backup/schedule.py)."""
from __future__ import annotations

from flask import current_app

from core.backup.schedule import start_if_due

from .handlers import Every


def _ask(session) -> str | None:
    started = start_if_due(current_app.extensions["crossdock"].settings)
    return "backup started" if started else None


SCHEDULED_BACKUP = Every(kind="hub.scheduled_backup", run=_ask, every_seconds=300)
