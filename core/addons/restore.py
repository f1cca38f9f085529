"""`crossdock addons restore BACKUP`: put an uninstall backup (core/addons/backup.py)
back into the tables of the addon, installed again by the user.

1. Checks first, changes nothing on a refusal: every table of the file exists
   (else: install the addon), has every column a row names (else: the schema
   changed since the backup; the table, row and column are named), and is
   empty (else refused; `replace=True` deletes what a fresh install put there,
   its default rows, first).
2. Inserts the rows in foreign-key order, the values typed back from JSON by
   the table's own columns, then puts the related rows of other addons' tables
   (a contact's timeline links) back by primary key; a related row deleted
   since is counted, not recreated.
3. One transaction, audited (`addon_restore`); PostgreSQL's id sequences are
   moved past the restored ids, so the next new row gets a free id.
"""
from __future__ import annotations

import ast
import datetime as dt
import decimal
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, Table, and_, delete, func, inspect, insert, select, text, update
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..security.audit import record_event
from .backup import read_backup


class RestoreError(ValueError):
    """Nothing restored; the message names the table (and row, column) and what to do."""


@dataclass
class RestoreResult:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows inserted
    replaced: dict[str, int] = field(default_factory=dict)  # table -> rows deleted first
    related: int = 0  # related rows put back
    related_gone: int = 0  # related rows deleted since the backup


def _typed(column, value):
    """A backup's JSON value as the column takes it (the backup wrote plain text)."""
    if value is None:
        return None
    kind = column.type
    try:
        if isinstance(kind, sqltypes.DateTime) and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(kind, sqltypes.Date) and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(kind, sqltypes.Time) and isinstance(value, str):
            return dt.time.fromisoformat(value)
        if isinstance(kind, sqltypes.Numeric) and not isinstance(kind, sqltypes.Float):
            return decimal.Decimal(str(value))
        if isinstance(kind, sqltypes.LargeBinary) and isinstance(value, str):
            return bytes.fromhex(value)
        if isinstance(kind, sqltypes.JSON) and isinstance(value, str):
            try:  # older backups wrote Python's repr of a dict or list
                return json.loads(value)
            except ValueError:
                return ast.literal_eval(value)
    except (ValueError, SyntaxError, decimal.InvalidOperation) as exc:
        raise RestoreError(f"column {column.table.name}.{column.name}: cannot read "
                           f"{value!r} back ({exc})") from None
    return value


def _key_text(table: Table, row: dict) -> str:
    keys = [c.name for c in table.primary_key.columns]
    return ", ".join(f"{k}={row.get(k)!r}" for k in keys) or "(no primary key)"


def _check_columns(table: Table, row: dict) -> None:
    unknown = [k for k in row if k not in table.c]
    if unknown:
        raise RestoreError(
            f"table {table.name} has no column {', '.join(map(repr, unknown))} (backup row "
            f"{_key_text(table, row)}): the addon's schema changed since the backup; "
            "install the version the backup was taken from, or edit the file")


def restore(session: Session, path: Path, *, replace: bool = False) -> RestoreResult:
    """Restore the backup file at `path`; commits, or raises RestoreError having changed nothing."""
    try:
        entries = read_backup(path)
    except (OSError, ValueError, EOFError) as exc:
        raise RestoreError(f"cannot read backup {path}: {exc}") from None
    own: dict[str, list[dict]] = {}
    related: list[tuple[str, dict]] = []
    for entry in entries:
        if entry.get("related"):
            related.append((entry["table"], entry["row"]))
        else:
            own.setdefault(entry["table"], []).append(entry["row"])
    if not own and not related:
        raise RestoreError(f"backup {path} holds no rows: nothing to restore")
    conn = session.connection()
    existing = set(inspect(conn).get_table_names())
    missing = sorted({t for t in own} - existing | {t for t, _r in related} - existing)
    if missing:
        raise RestoreError(f"table(s) {', '.join(missing)} do not exist: install the addon "
                           "again first ('crossdock addons install NAME'), then restore")
    meta = MetaData()
    tables = {name: Table(name, meta, autoload_with=conn)
              for name in sorted({*own, *(t for t, _r in related)})}
    for name, rows in own.items():
        for row in rows:
            _check_columns(tables[name], row)
    for name, row in related:
        _check_columns(tables[name], row)
        if not tables[name].primary_key.columns:
            raise RestoreError(f"table {name} has no primary key: its related rows "
                               "cannot be put back")

    result = RestoreResult()
    ordered = [t for t in meta.sorted_tables if t.name in own]
    filled = {t.name: session.scalar(select(func.count()).select_from(t)) for t in ordered}
    if any(filled.values()) and not replace:
        named = ", ".join(f"{n} ({c} rows)" for n, c in filled.items() if c)
        raise RestoreError(f"table(s) not empty: {named}; a restore fills the empty tables of "
                           "a fresh install: use --replace to delete their rows first (those "
                           "the install put there, such as default stages)")
    try:
        for table in reversed(ordered):
            if filled[table.name]:
                session.execute(delete(table))
                result.replaced[table.name] = filled[table.name]
        for table in ordered:
            for row in own[table.name]:
                values = {k: _typed(table.c[k], v) for k, v in row.items()}
                try:  # a row at a time: a refusal names the row
                    conn.execute(insert(table), [values])
                except DBAPIError as exc:
                    raise RestoreError(f"table {table.name}, backup row {_key_text(table, row)}: "
                                       f"{exc.orig}") from None
            result.rows[table.name] = len(own[table.name])
            _move_sequence(conn, table)
        for name, row in related:
            table = tables[name]
            keys = [c.name for c in table.primary_key.columns]
            where = and_(*(table.c[k] == _typed(table.c[k], row[k]) for k in keys))
            values = {k: _typed(table.c[k], v) for k, v in row.items() if k not in keys}
            if conn.execute(update(table).where(where).values(values)).rowcount:
                result.related += 1
            else:
                result.related_gone += 1
        record_event(session, "addon_restore", "Backup", path.name,
                     {"backup": str(path), "rows": result.rows, "replaced": result.replaced,
                      "related": result.related, "related_gone": result.related_gone})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _move_sequence(conn, table: Table) -> None:
    """PostgreSQL: the table's id sequence past the highest restored id."""
    keys = list(table.primary_key.columns)
    if conn.dialect.name != "postgresql" or len(keys) != 1 or not isinstance(
            keys[0].type, sqltypes.Integer):
        return
    sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                           {"t": table.name, "c": keys[0].name})
    if sequence:
        conn.execute(text("SELECT setval(:s, (SELECT COALESCE(MAX({c}), 0) + 1 FROM {t}), false)"
                          .format(c=conn.dialect.identifier_preparer.quote(keys[0].name),
                                  t=conn.dialect.identifier_preparer.quote(table.name))),
                     {"s": sequence})
