"""A backup of an addon's tables, taken before uninstall drops them.

Rows are written as JSON lines, one file per uninstall, in the instance
folder's `backups/`, in the envelope of whole backups (core/backup/envelope.py:
encrypted with the instance's keys, checksummed). The file is complete before
anything is dropped. Files of older versions (gzip JSON lines) still read.

Rows of other addons' tables that belong to the ones uninstalled (a contact's
timeline entries pointing at their records) join the file through
`add_related_rows`, registered by the addon that owns those tables.
`crossdock addons restore FILE` puts it back (core/addons/restore.py).
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import Connection

from ..backup import envelope
from ..security.secrets import configured_ring

CONTENT = "addon-tables"  # the header's `content`: what `crossdock addons restore` reads


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):  # a JSON column's value stays JSON
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


# provider(conn, addons) -> (table, rows): rows of its tables that belong to `addons`
RelatedRows = Callable[[Connection, list[str]], Iterable[tuple[str, dict]]]
_related: list[RelatedRows] = []


def add_related_rows(provider: RelatedRows) -> None:
    """Put rows of your tables that belong to an uninstalled addon into its backup
    (written with `"related": true`). Registered once per process; idempotent."""
    if provider not in _related:
        _related.append(provider)


def backup_tables(conn: Connection, tables: list[str], folder: Path, label: str,
                  addons: list[str] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    meta = MetaData()
    with tempfile.TemporaryDirectory(dir=folder, prefix=".uninstall-") as work:
        rows = Path(work) / "rows.jsonl"
        with rows.open("w", encoding="utf-8") as fh:
            for name in tables:
                table = Table(name, meta, autoload_with=conn)
                for row in conn.execute(select(table)).mappings():
                    fh.write(json.dumps({"table": name,
                                         "row": {k: _plain(v) for k, v in row.items()}},
                                        ensure_ascii=False) + "\n")
            for provider in _related if addons else ():
                for name, row in provider(conn, list(addons)):
                    if name in tables:  # dropped with them: already written above
                        continue
                    fh.write(json.dumps({"table": name, "related": True,
                                         "row": {k: _plain(v) for k, v in row.items()}},
                                        ensure_ascii=False) + "\n")
        header = {"content": CONTENT, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"), "database": conn.dialect.name, "addons": list(addons),
            "tables": list(tables)}
        return envelope.write(folder / f"{stamp}-{label}.backup", header, rows,
                              configured_ring(), compress=True)


def read_backup(path: Path) -> list[dict]:
    """The rows of an uninstall backup; ValueError (envelope.BackupError) when
    it cannot be read, is not one, or was altered."""
    with path.open("rb") as fh:
        if fh.read(2) == b"\x1f\x8b":  # gzip: written before the envelope
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                return [json.loads(line) for line in lines]
    ring = configured_ring()
    header, _sealed = envelope.open_backup(path, ring)
    if header.get("content") != CONTENT:
        raise envelope.BackupError(f"{path} is a whole-instance backup: restore it with "
                                   "'crossdock restore' into an empty database")
    text = b"".join(envelope.payload(path, ring)).decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]
