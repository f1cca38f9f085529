"""Test fixtures: apps built through create_app on real SQLite and PostgreSQL.

PostgreSQL: a throwaway cluster per worker started with Debian's server
binaries (bench/pg_cluster.py), or CROSSDOCK_TEST_PG_URL pointing at one.
Each test gets its own database, copied from a per-worker template that
create_app has already migrated (a copied SQLite file, CREATE DATABASE ...
TEMPLATE), so no test pays for the platform's migrations and permission rows.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pytest

from bench.pg_cluster import PG_BIN, create_database, pg_cluster
from core.app import create_app
from core.config import Settings
from tests.erp.tryton_server import fresh_tryton, tryton  # noqa: F401  (real Tryton servers)

TESTS_DIR = Path(__file__).resolve().parent
EXAMPLE_ADDONS = TESTS_DIR / "addons"


@pytest.fixture(scope="session")
def pg_admin_url():
    """URL of a PostgreSQL server's maintenance database, started for this run
    (one per xdist worker), or CROSSDOCK_TEST_PG_URL's."""
    if os.environ.get("CROSSDOCK_TEST_PG_URL"):
        yield os.environ["CROSSDOCK_TEST_PG_URL"]
        return
    if not PG_BIN:
        pytest.fail("PostgreSQL server binaries not found: run the README's test command, "
                    "which installs the Debian package 'postgresql'")
    with pg_cluster(shared_buffers="128MB") as url:
        yield url


def new_pg_database(admin_url: str, template: str | None = None) -> str:
    """A new database: empty, or a copy of `template` (CREATE DATABASE ... TEMPLATE)."""
    return create_database(admin_url, "t_" + uuid.uuid4().hex[:12], template)


def _migrated(url: str, instance: Path) -> None:
    """Run create_app once on `url`: platform migrated, roles and FAB's permission
    rows written; then every connection closed, so the database can be copied."""
    from core.db import db

    app = create_app(test_settings(instance, url))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, built once per worker; tests get copies."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "crossdock.sqlite"
    _migrated(f"sqlite:///{path}", folder / "instance")
    with sqlite3.connect(path) as conn:  # the copy is the file alone: no WAL left
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin_url) -> str:
    """A migrated PostgreSQL database, built once per worker; tests get copies."""
    url = new_pg_database(pg_admin_url)
    _migrated(url, Path(tempfile.mkdtemp(prefix="crossdock-pg-template-")))
    return url.rsplit("/", 1)[-1]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database with the platform migrated and no addon installed, copied from
    a per-worker template: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "crossdock.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return new_pg_database(request.getfixturevalue("pg_admin_url"),
                           request.getfixturevalue("pg_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path):
    """A database with nothing in it, for tests of a first start or of migrations."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crossdock.sqlite'}"
    return new_pg_database(request.getfixturevalue("pg_admin_url"))


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'crossdock.sqlite'}"


def test_settings(instance: Path, database_url: str, **overrides) -> Settings:
    values = dict(instance_path=instance, database_url=database_url,
                  secret_key="test-secret-key-" + "x" * 32, addons_paths=(EXAMPLE_ADDONS,),
                  addon_poll_seconds=0.0, hub_embedded_threads=0,  # tests start hub workers
                  password_hash="pbkdf2:sha256:1000")  # scrypt's 0.1 s per user is for real logins
    values.update(overrides)
    return Settings.from_env(**values)


@pytest.fixture
def make_app(tmp_path, database_url):
    """Build an app (several may share one database, as separate processes would)."""
    made = []

    def factory(**overrides):
        app = create_app(test_settings(tmp_path / "instance", database_url, **overrides))
        app.config["TESTING"] = True
        made.append(app)
        return app

    yield factory
    from core.db import db

    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()
