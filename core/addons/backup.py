"""A backup of an addon's tables, taken before uninstall drops them.

Rows are written as JSON lines, one file per uninstall, gzip-compressed, in the
instance folder's `backups/`. The file is complete before anything is dropped.

Rows of other addons' tables that belong to the ones uninstalled (a contact's
timeline entries pointing at their records) join the file through
`add_related_rows`, registered by the addon that owns those tables.
`crossdock addons restore FILE` puts it back (core/addons/restore.py).
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import Connection


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
    path = folder / f"{stamp}-{label}.jsonl.gz"
    meta = MetaData()
    with gzip.open(path, "wt", encoding="utf-8") as fh:
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
    return path


def read_backup(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]
