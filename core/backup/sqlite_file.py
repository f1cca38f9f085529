"""SQLite: a snapshot through the online backup API, a restore by renaming a whole file.

The backup API copies every page in one step, inside one read transaction: in
WAL mode (core/db.py) writers carry on meanwhile and the copy is the database
as of its start. A restore writes the file beside the target, migrates it if
asked, and renames it into place: the target is either the backup or as before.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from .envelope import BackupError
from .schema_state import describe


def _path(url: str) -> Path:
    return Path(make_url(url).database).resolve()


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=60)


def dump(url: str, addons_paths: tuple[Path, ...], into: Path) -> dict:
    """Snapshot the database into the file `into`; returns its schema_state.describe."""
    source = _path(url)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    src, dst = _connect(source), _connect(into)
    try:
        src.backup(dst)  # all pages at once: one consistent snapshot
    finally:
        src.close()
        dst.close()
    engine = create_engine(f"sqlite:///{into}")
    try:
        with engine.connect() as conn:
            return describe(conn, addons_paths)
    finally:
        engine.dispose()


def refuse_unless_empty(url: str) -> None:
    path = _path(url)
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = _connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the target {path} is not an SQLite database ({exc}): "
                          "restore into a new file") from None
    finally:
        conn.close()
    if tables:
        raise BackupError(
            f"the target database {path} is not empty: it holds {len(tables)} table(s) "
            f"({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''}); restore into a new "
            "database (a new CROSSDOCK_DATABASE_URL, or move this file away first)")


def load(url: str, payload: Callable[[], Iterator[bytes]],
         migrate: Callable[[str], None] | None = None) -> None:
    """Write the payload beside the target, `migrate(url_of_that_file)` if given,
    then rename it into place; on any failure the target is as it was."""
    target = _path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.restoring")
    try:
        fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in payload():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if migrate is not None:
            migrate(f"sqlite:///{work}")
        with _connect(work) as conn:  # the file alone holds everything: no WAL beside it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        for leftover in ("-wal", "-shm"):  # of the empty target, if it was ever opened
            Path(f"{target}{leftover}").unlink(missing_ok=True)
        os.replace(work, target)
    finally:
        for name in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
            name.unlink(missing_ok=True)
