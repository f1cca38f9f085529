"""Every migration upgrades and downgrades, and the models match the migrations."""
from __future__ import annotations

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


def test_models_match_migrations(app):
    _install_everything(app)
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True}), Model.metadata)
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
        assert all(migrate.branch_is_current(conn, b, dirs)
                   for b in [migrate.PLATFORM, *branches])
    assert "crossdock_audit_log" in inspect(engine).get_table_names()
