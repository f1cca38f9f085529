"""Test fixtures: apps built through create_app on real SQLite and PostgreSQL.

PostgreSQL: a throwaway cluster per worker started with Debian's server
binaries (bench/pg_cluster.py), or CROSSDOCK_TEST_PG_URL pointing at one.
Each test gets its own database, copied from a per-worker template that
create_app has already migrated (a copied SQLite file, CREATE DATABASE ...
TEMPLATE), so no test pays for the platform's migrations and permission rows.
A module marked `pytest.mark.addons("sales")` starts with those addons
installed, from a template built the first time a worker needs it.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
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


def _prepared(url: str, instance: Path, addons: tuple[str, ...]) -> None:
    """Run create_app on `url` (platform migrated, roles and FAB's permission rows
    written), install `addons`, then close every connection so the database can
    be copied."""
    from core.db import db
    from tests.helpers import install

    app = create_app(test_settings(instance, url))
    if addons:
        install(app, *addons)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _addons_wanted(request) -> tuple[str, ...]:
    marker = request.node.get_closest_marker("addons")
    return tuple(sorted(marker.args)) if marker else ()


class _Templates:
    """Template databases per set of installed addons, built on first use by
    this worker; SQLite ones are files, PostgreSQL ones database names."""

    def __init__(self, make):
        self._make, self._made = make, {}

    def get(self, addons: tuple[str, ...]):
        if addons not in self._made:
            self._made[addons] = self._make(addons)
        return self._made[addons]


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> _Templates:
    def make(addons):
        folder = tmp_path_factory.mktemp("template")
        path = folder / "crossdock.sqlite"
        if addons:  # from the platform's template: its permission rows are written
            shutil.copyfile(templates.get(()), path)
        _prepared(f"sqlite:///{path}", folder / "instance", addons)
        with sqlite3.connect(path) as conn:  # the copy is the file alone: no WAL left
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path
    templates = _Templates(make)
    return templates


@pytest.fixture(scope="session")
def pg_templates(pg_admin_url, tmp_path_factory) -> _Templates:
    def make(addons):
        url = new_pg_database(pg_admin_url, templates.get(()) if addons else None)
        _prepared(url, tmp_path_factory.mktemp("pg-template") / "instance", addons)
        return url.rsplit("/", 1)[-1]
    templates = _Templates(make)
    return templates


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database copied from a per-worker template: the platform migrated and
    the addons of the test's `addons` marker installed (none without one).
    Each test runs once on SQLite and once on PostgreSQL."""
    addons = _addons_wanted(request)
    if request.param == "sqlite":
        path = tmp_path / "crossdock.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_templates").get(addons), path)
        return f"sqlite:///{path}"
    return new_pg_database(request.getfixturevalue("pg_admin_url"),
                           request.getfixturevalue("pg_templates").get(addons))


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
