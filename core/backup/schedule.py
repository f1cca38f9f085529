"""Scheduled backups: when one is due, take it in a thread of its own and
apply retention (the hub's elected scheduler asks every minute:
connectors/hub/scheduled_backup.py). Due means the newest backup in the
folder is older than CROSSDOCK_BACKUP_EVERY_HOURS, so a restart or another
scheduler taking over does not back up again early. A failure is logged
with its reason, recorded (history.py) and retried at the next asking."""
from __future__ import annotations

import datetime as dt
import logging
import threading

from ..config import Settings
from .files import backup_folder, backups_in, new_backup_path, prune
from .history import recorded
from .settings import BackupSettings
from .take import take_backup

log = logging.getLogger(__name__)
_running: threading.Thread | None = None
_lock = threading.Lock()


def _due(settings: Settings) -> bool:
    every = settings.section(BackupSettings).backup_every_hours
    if every <= 0:
        return False
    newest = backups_in(backup_folder(settings))[-1:]
    if not newest:
        return True
    taken = dt.datetime.fromtimestamp(newest[0].stat().st_mtime, dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc) - taken >= dt.timedelta(hours=every)


def _backup_and_prune(settings: Settings) -> None:
    folder, keep = backup_folder(settings), settings.section(BackupSettings).backup_keep
    try:
        path = new_backup_path(folder)
        with recorded(settings, "schedule", path):
            take_backup(settings, path)
        gone = prune(folder, keep)
        log.info("scheduled backup written: %s (%d old one(s) deleted, keeping %d)",
                 path, len(gone), keep)
    except Exception:  # noqa: BLE001 - logged with its reason; the next asking tries again
        log.exception("scheduled backup into %s failed", folder)


def start_if_due(settings: Settings) -> threading.Thread | None:
    """Start a backup in a thread when one is due and none is running; returns the thread."""
    global _running
    with _lock:
        if (_running is not None and _running.is_alive()) or not _due(settings):
            return None
        _running = threading.Thread(target=_backup_and_prune, args=(settings,),
                                    name="crossdock-scheduled-backup", daemon=True)
        _running.start()
        return _running
