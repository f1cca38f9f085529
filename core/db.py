"""The database: one Flask-SQLAlchemy instance shared by FAB, core and addons.

SQLite is made to behave like a real transactional database: its Python driver
otherwise commits DDL implicitly, so a failed addon install could leave a
half-created table behind. We take over BEGIN ourselves (the SQLAlchemy recipe
for pysqlite), turn on foreign keys, WAL and a busy timeout for several
processes sharing one file.

Transactions begin IMMEDIATE (they take the write lock first, waiting up to
the busy timeout for it): a DEFERRED transaction that reads and then writes
fails at once with "database is locked" when another connection committed in
between (SQLITE_BUSY_SNAPSHOT, which no timeout helps), and `crossdock run`'s
web and worker threads, the scheduler and CLI commands all do that. Two kinds
begin DEFERRED: read-only HTTP requests (GET, HEAD, OPTIONS), so readers never
queue behind each other or a writer; and a transaction a thread begins on a
second connection while it holds the write lock on a first one (the addon
gate's poll, a schema inspection): it could not take the lock anyway, and
waiting for itself would end in "database is locked" after the timeout.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from weakref import WeakSet

from flask import has_request_context, request
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_sqlalchemy.query import Query
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine

class _Query(Query):
    def count(self) -> int:
        # the legacy count's subquery selects every mapped column, deferred ones
        # too; an addon's extension column (core/addons/model_extension.py)
        # exists only while that addon is installed: a query of one model
        # counts its primary keys instead (rows of a model are unique by key)
        described = self.column_descriptions
        entity = described[0]["entity"] if len(described) == 1 else None
        if not isinstance(entity, type) or described[0]["expr"] is not entity:
            return super().count()
        return Query.count(self.with_entities(*sa_inspect(entity).primary_key))


db = SQLA(session_options={"expire_on_commit": False, "query_cls": _Query})
metadata = Model.metadata
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# an engine's execution option for code that only reads: its transactions
# begin DEFERRED even inside a writing request (a read under a Python lock
# must not queue for the write lock that another thread holding it waits on)
READS_ONLY = "crossdock_reads_only"
# how long a writer waits for the lock: writers queue on SQLite, and one
# transaction may hold the lock for many seconds (a demo load, an import, an
# addon install) while requests, hub workers and the scheduler wait behind it
BUSY_TIMEOUT_MS = 60_000
_writers = threading.local()  # .connections: this thread's, begun IMMEDIATE


def _writing_connections() -> WeakSet:
    if not hasattr(_writers, "connections"):
        _writers.connections = WeakSet()
    return _writers.connections


def _holds_write_lock(conn: Connection) -> bool:
    """This thread writes on another connection to the same file."""
    return any(other is not conn and other.in_transaction()
               and other.engine.url == conn.engine.url
               for other in list(_writing_connections()))


def _begin_immediate(conn: Connection) -> bool:
    if conn.get_execution_options().get(READS_ONLY):
        return False
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return False
    return not _holds_write_lock(conn)


def _switch_to_wal(cur) -> None:
    """WAL mode, kept in the file. Two processes opening a new file at once
    may both try the switch, and SQLite answers "database is locked" at once,
    without its busy handler: try again for up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_sqlite_transactional(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            _switch_to_wal(cur)
            # SQLite's advice for WAL: no fsync per commit (3 ms each here, far
            # more on a busy disk), never a corrupt file; a power cut may take
            # back the last commits, which the hub's idempotent pushes survive
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        if _begin_immediate(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            _writing_connections().add(conn)
        else:
            conn.exec_driver_sql("BEGIN")
            _writing_connections().discard(conn)


ROW_ID_LIMIT = 2**31  # ids are INTEGER columns: 32 bits on PostgreSQL, which refuses more


def is_row_id(value: int) -> bool:
    """Whether `value` can be a row's id: a bigger one is no row, not a
    database error (a URL's `<int:pk>` takes any size)."""
    return 0 < value < ROW_ID_LIMIT
