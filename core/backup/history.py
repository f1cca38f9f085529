"""Every backup taken, by `crossdock backup` or on schedule: when, on which
machine, where, how big, or why it failed. One row written when the backup
ends (so no snapshot holds its own row), through a connection of its own:
the scheduled backup runs in a thread outside any request. Admins read the
rows in Settings > Backups and on the start page; Prometheus reads
`crossdock_backup_last_success_timestamp_seconds` (core/backup/figures.py)."""
from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_appbuilder import Model
from sqlalchemy import BigInteger, DateTime, Integer, String, Text, create_engine, insert
from sqlalchemy.orm import Mapped, mapped_column

from ..config import Settings

log = logging.getLogger(__name__)


class BackupRun(Model):
    __tablename__ = "crossdock_backup_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # "command" | "schedule"
    host: Mapped[str] = mapped_column(String(255), nullable=False)
    path: Mapped[str] = mapped_column(String(1000), nullable=False)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)  # None: the backup was written

    @property
    def ok(self) -> bool:
        return self.error is None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _write(settings: Settings, row: dict) -> None:
    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(BackupRun.__table__).values(**row))
    except Exception:  # noqa: BLE001 - the backup's own outcome stands; say why it is not listed
        log.exception("backup %s: its outcome could not be recorded", row["path"])
    finally:
        engine.dispose()


@contextmanager
def recorded(settings: Settings, trigger: str, target: Path) -> Iterator[None]:
    """Record the backup written to `target` inside the block, or its failure
    (then re-raised)."""
    row = {"started_at": _now(), "trigger": trigger, "host": socket.gethostname()[:255],
           "path": str(target)[:1000]}
    try:
        yield
    except Exception as exc:
        _write(settings, {**row, "finished_at": _now(), "error": f"{exc}"[:4000] or type(exc).__name__})
        raise
    _write(settings, {**row, "finished_at": _now(), "size_bytes": target.stat().st_size})
