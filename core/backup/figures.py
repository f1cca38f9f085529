"""What the backup history says at a glance: the last run, the last success,
and whether backups are overdue (the start page's tile, /metrics)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .history import BackupRun


@dataclass(frozen=True)
class BackupState:
    last: BackupRun | None  # the newest run, done or failed
    last_success: dt.datetime | None  # when the newest good backup finished (UTC)

    def overdue(self, every_hours: float, now: dt.datetime) -> bool:
        """Scheduled backups on, and no good one within twice their interval."""
        if every_hours <= 0:
            return False
        return (self.last_success is None
                or now - self.last_success > dt.timedelta(hours=2 * every_hours))


def backup_state(session: Session) -> BackupState:
    last = session.scalars(select(BackupRun).order_by(BackupRun.finished_at.desc(),
                                                      BackupRun.id.desc()).limit(1)).first()
    success = session.scalar(select(func.max(BackupRun.finished_at))
                             .where(BackupRun.error.is_(None)))
    return BackupState(last, success)


class BackupCollector:
    """Prometheus: alert on `time() - crossdock_backup_last_success_timestamp_seconds`."""

    def __init__(self, engine):
        self.engine = engine

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        with Session(self.engine) as session:
            state = backup_state(session)
        success = GaugeMetricFamily(
            "crossdock_backup_last_success_timestamp_seconds",
            "When the newest good backup finished (Unix time; 0: none recorded)")
        success.add_metric([], state.last_success.replace(tzinfo=dt.timezone.utc).timestamp()
                           if state.last_success else 0)
        failed = GaugeMetricFamily("crossdock_backup_last_run_failed",
                                   "1 when the newest backup run failed")
        failed.add_metric([], 1 if state.last and not state.last.ok else 0)
        yield success
        yield failed
