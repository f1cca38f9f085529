"""The database: one Flask-SQLAlchemy instance shared by FAB, core and addons.

SQLite is made to behave like a real transactional database: its Python driver
otherwise commits DDL implicitly, so a failed addon install could leave a
half-created table behind. We take over BEGIN ourselves (the SQLAlchemy recipe
for pysqlite), turn on foreign keys, WAL and a busy timeout for several
processes sharing one file.
"""
from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from sqlalchemy import event
from sqlalchemy.engine import Engine

db = SQLA(session_options={"expire_on_commit": False})
metadata = Model.metadata


def make_sqlite_transactional(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")
