"""Every migration upgrades and downgrades, and the models match the migrations."""
from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import inspect

from core import migrate
from core.addons import lifecycle
from core.db import db


def _install_everything(app):
    runtime = app.extensions["crossdock"].runtime
    with app.app_context():
        lifecycle.install(db.session, runtime, sorted(runtime.loaded))
    return runtime


def _full_text_objects(conn) -> set[str]:
    """Full-text indexes no model can declare: SQLite's FTS5 virtual tables with
    their shadow tables and the other indexes of the tables they index (the
    contacts search's covering indexes, 0007), PostgreSQL's GIN indexes
    (contacts search, 0002, 0007)."""
    if conn.dialect.name == "sqlite":
        virtual = dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'").all())
        tables = [n for n, in conn.exec_driver_sql("SELECT name FROM sqlite_master")]
        indexed = {m.group(1) for sql in virtual.values()
                   for m in [re.search(r"content='(\w+)'", sql)] if m}
        searched = {n for n, table in conn.exec_driver_sql(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            if table in indexed}
        return {t for t in tables for v in virtual if t == v or t.startswith(v + "_")} | searched
    return {n for n, in conn.exec_driver_sql(
        "SELECT indexname FROM pg_indexes WHERE strpos(indexdef, ' USING gin ') > 0")}


def test_models_match_migrations(app):
    _install_everything(app)
    with app.app_context(), db.engine.connect() as conn:
        skipped = _full_text_objects(conn)
        diff = compare_metadata(MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": lambda name, _type, _parents: name not in skipped}),
            Model.metadata)
    assert diff == []


def test_every_branch_downgrades_to_nothing_and_back(app):
    runtime = _install_everything(app)
    with app.app_context():
        engine = db.engine
        db.session.remove()
    dirs = runtime.addon_dirs
    branches = [a.name for a in runtime.loaded.values() if a.migrations_dir]
    with engine.begin() as conn:
        for branch in branches:
            migrate.downgrade(conn, branch, dirs)
        migrate.downgrade(conn, migrate.PLATFORM, dirs)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    with engine.begin() as conn:
        migrate.upgrade(conn, migrate.PLATFORM, dirs)
        for branch in branches:
            migrate.upgrade(conn, branch, dirs)
        assert [b for b in [migrate.PLATFORM, *branches]
                if not migrate.branch_is_current(conn, b, dirs)] == [], migrate.current_heads(conn)
    assert "crossdock_audit_log" in inspect(engine).get_table_names()
