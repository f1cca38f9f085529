"""Scheduled backups' knobs (`CROSSDOCK_BACKUP_*`; the README's configuration table)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackupSettings:
    backup_dir: str = ""  # where backups go; empty: <instance>/backups
    backup_every_hours: float = 0.0  # 0: no scheduled backups
    backup_keep: int = 7  # scheduled backups kept; older ones are deleted
