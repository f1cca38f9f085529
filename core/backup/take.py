"""`crossdock backup`: the database and the instance's secret key into one encrypted file."""
from __future__ import annotations

import datetime as dt
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import Settings
from ..security.secrets import key_ring
from . import envelope, postgres_dump, sqlite_file

CONTENT = "database"  # the header's `content`: a whole instance, for `crossdock restore`


def engine_kind(url: str):
    """(kind, module) of the database at `url`: SQLite or PostgreSQL."""
    kind = make_url(url).get_backend_name()
    if kind == "sqlite":
        return kind, sqlite_file
    if kind == "postgresql":
        return kind, postgres_dump
    raise envelope.BackupError(f"backups support SQLite and PostgreSQL, not {kind}")


def _crossdock_version() -> str:
    try:
        return version("crossdock")
    except PackageNotFoundError:
        return "unknown"


def take_backup(settings: Settings, target: Path) -> Path:
    """Snapshot the configured database while it serves and write the backup
    file `target` (encrypted with the instance's key ring); returns it."""
    kind, database = engine_kind(settings.database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    # the plain dump lives beside the target (same disk) in a folder only we read
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".crossdock-dump-") as work:
        dump = Path(work) / "dump"
        described = database.dump(settings.database_url, settings.addons_paths, dump)
        header = {"content": CONTENT, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "crossdock_version": _crossdock_version(), "database": kind, **described}
        return envelope.write(target, header, dump,
                              key_ring(settings.secrets_keys, settings.secret_key),
                              secret_key=settings.secret_key,
                              compress=kind == "sqlite")  # pg_dump's format is compressed already
