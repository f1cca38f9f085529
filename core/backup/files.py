"""Where backups go, what they are called, and retention (the oldest beyond KEEP go)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import Settings
from .settings import BackupSettings

PATTERN = "crossdock-????????-??????-*.backup"  # only whole backups: uninstall ones differ


def backup_folder(settings: Settings) -> Path:
    configured = settings.section(BackupSettings).backup_dir
    return Path(configured).resolve() if configured else settings.instance_path / "backups"


def new_backup_path(folder: Path) -> Path:
    """A new backup's name in `folder` (made by the backup itself)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"crossdock-{stamp}.backup"


def backups_in(folder: Path) -> list[Path]:
    """The folder's whole-instance backups, oldest first (their names hold the UTC time)."""
    return sorted(folder.glob(PATTERN)) if folder.is_dir() else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest backups beyond the newest `keep`; returns the deleted."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (got {keep})")
    gone = backups_in(folder)[:-keep]
    for path in gone:
        path.unlink()
    return gone
