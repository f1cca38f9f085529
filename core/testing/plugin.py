"""The pytest plugin for Crossdock and its addons (entry point `pytest11`).

Registered by the `crossdock` distribution, so an addon's tests kept anywhere
get the fixtures Crossdock's own suite uses (without the distribution
installed: `pytest -p core.testing.plugin`):

    pytestmark = pytest.mark.addons("visits")    # the database starts with these installed

    def test_list(client_as):
        client = client_as("Salesperson")        # logged in through the form
        client.get("/visitview/list/")
        client.post("/api/v1/visit/", json={...}, headers=client.api_headers)

Fixtures: `database_url` (each test twice, SQLite and PostgreSQL; the
PostgreSQL variant is marked `postgres`, deselect it with `-m "not postgres"`),
`app` and `make_app(**settings)`, `client_as(role, team=None)`, `sqlite_url`
(an empty SQLite database), `pg_admin_url`. Each test gets a copy of a
template database built once per worker (platform migrated, roles and
permission rows written, the marker's addons installed): a copied file on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL, which runs on a throwaway
cluster started from Debian's binaries or on CROSSDOCK_TEST_PG_URL's server.

Addons are found on CROSSDOCK_ADDONS_PATH and in the folders holding the
addons whose tests are collected (a test under `<dir>/visits/tests/` puts
`<dir>` on the path); override the session fixture `crossdock_addons_paths`
to choose.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from core.testing.pg_cluster import PG_BIN, create_database, pg_cluster

TEST_PASSWORD = "Secret-pass-123"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "addons(*names): the test's database starts with these addons installed "
        "(copied from a per-worker template)")
    config.addinivalue_line("markers", "postgres: runs on the PostgreSQL server the "
                                       "fixtures start")
    # FAB's and WTForms' deprecations, not the addon's to fix
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:flask_appbuilder.*")
    config.addinivalue_line("filterwarnings", "ignore:Yielding raw tuples:DeprecationWarning")


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    """An addon's folder is collected as a plain directory, not a package:
    pytest would import the addon before any app exists (to look for
    `setup_module`), while its code must be imported by the app's loader."""
    if (path / "__manifest__.py").is_file():
        return pytest.Dir.from_parent(parent, path=path)
    return None


def settings_for(instance: Path, database_url: str, addons_paths=(), **overrides):
    """Settings for a test app: cheap password hashing, no hub threads, no
    polling; keyword arguments (`addons_paths=` included) override them."""
    from core.config import Settings

    values = dict(instance_path=instance, database_url=database_url,
                  secret_key="test-secret-key-" + "x" * 32, addons_paths=tuple(addons_paths),
                  addon_poll_seconds=0.0, hub_embedded_threads=0,  # tests start hub workers
                  password_hash="pbkdf2:sha256:1000")  # scrypt's 0.1 s per user is for real logins
    values.update(overrides)
    return Settings.from_env(**values)


def new_pg_database(admin_url: str, template: str | None = None) -> str:
    """A new database: empty, or a copy of `template` (CREATE DATABASE ... TEMPLATE)."""
    return create_database(admin_url, "t_" + uuid.uuid4().hex[:12], template)


def _addon_folder_of(path: Path) -> Path | None:
    for folder in path.parents:
        if (folder / "__manifest__.py").is_file():
            return folder
    return None


@pytest.fixture(scope="session")
def crossdock_addons_paths(request) -> tuple[Path, ...]:
    """Folders searched for addons: CROSSDOCK_ADDONS_PATH's, then the folders
    holding the addons whose tests were collected (built-ins excluded)."""
    from core.addons.discovery import BUILTIN_DIR

    paths = [Path(p) for p in os.environ.get("CROSSDOCK_ADDONS_PATH", "").split(os.pathsep) if p]
    for item in request.session.items:
        addon = _addon_folder_of(Path(item.path).resolve())
        if addon is not None and addon.parent != BUILTIN_DIR and addon.parent not in paths:
            paths.append(addon.parent)
    return tuple(paths)


def _prepared(settings, addons: tuple[str, ...]) -> None:
    """Run create_app (platform migrated, roles and FAB's permission rows
    written), install `addons`, then close every connection so the database can
    be copied."""
    from core.addons import lifecycle
    from core.app import create_app
    from core.db import db

    app = create_app(settings)
    with app.app_context():
        if addons:
            lifecycle.install(db.session, app.extensions["crossdock"].runtime, list(addons))
        db.session.remove()
        db.engine.dispose()


def addons_wanted(request) -> tuple[str, ...]:
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
def pg_admin_url():
    """URL of a PostgreSQL server's maintenance database, started for this run
    (one per xdist worker), or CROSSDOCK_TEST_PG_URL's."""
    if os.environ.get("CROSSDOCK_TEST_PG_URL"):
        yield os.environ["CROSSDOCK_TEST_PG_URL"]
        return
    if not PG_BIN:
        pytest.fail("PostgreSQL server binaries not found: install the Debian package "
                    "'postgresql', set CROSSDOCK_TEST_PG_URL, or deselect with -m 'not postgres'")
    with pg_cluster(shared_buffers="128MB") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory, crossdock_addons_paths) -> _Templates:
    def make(addons):
        folder = tmp_path_factory.mktemp("template")
        path = folder / "crossdock.sqlite"
        if addons:  # from the platform's template: its permission rows are written
            shutil.copyfile(templates.get(()), path)
        _prepared(settings_for(folder / "instance", f"sqlite:///{path}",
                               crossdock_addons_paths), addons)
        with sqlite3.connect(path) as conn:  # the copy is the file alone: no WAL left
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path
    templates = _Templates(make)
    return templates


@pytest.fixture(scope="session")
def pg_templates(pg_admin_url, tmp_path_factory, crossdock_addons_paths) -> _Templates:
    def make(addons):
        url = new_pg_database(pg_admin_url, templates.get(()) if addons else None)
        _prepared(settings_for(tmp_path_factory.mktemp("pg-template") / "instance", url,
                               crossdock_addons_paths), addons)
        return url.rsplit("/", 1)[-1]
    templates = _Templates(make)
    return templates


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database copied from a per-worker template: the platform migrated and
    the addons of the test's `addons` marker installed (none without one).
    Each test runs once on SQLite and once on PostgreSQL."""
    addons = addons_wanted(request)
    if request.param == "sqlite":
        path = tmp_path / "crossdock.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_templates").get(addons), path)
        return f"sqlite:///{path}"
    return new_pg_database(request.getfixturevalue("pg_admin_url"),
                           request.getfixturevalue("pg_templates").get(addons))


@pytest.fixture
def sqlite_url(tmp_path):
    """An empty SQLite database (nothing migrated)."""
    return f"sqlite:///{tmp_path / 'crossdock.sqlite'}"


@pytest.fixture
def make_app(tmp_path, database_url, crossdock_addons_paths):
    """Build an app (several may share one database, as separate processes would);
    keyword arguments override the test settings."""
    from core.app import create_app

    made = []

    def factory(**overrides):
        overrides.setdefault("addons_paths", crossdock_addons_paths)
        app = create_app(settings_for(tmp_path / "instance", database_url, **overrides))
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


@pytest.fixture
def client_as(app):
    """`client_as("Salesperson", team="North")`: a test client logged in through
    the login form as a new user with that role (user name: the role in lower
    case, `_` for spaces; pass `username=` for a second one). The client carries
    `csrf_token` (for form posts), `api_headers` (a REST bearer token) and
    `user_id`."""
    from core.db import db
    from core.security.teams import Team
    from core.users import create_user

    def login_as(role: str, *, team: str | None = None, username: str | None = None):
        username = username or role.lower().replace(" ", "_").replace("-", "_")
        with app.app_context():
            user = create_user(app.appbuilder.sm, username, f"{username}@example.com",
                               TEST_PASSWORD, [role])
            if team:
                row = db.session.query(Team).filter_by(name=team).one_or_none() or Team(name=team)
                row.members.append(user)
                db.session.add(row)
                db.session.commit()
            user_id = user.id
        client = app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        match = _CSRF.search(page)
        assert match, "login page has no CSRF token"
        resp = client.post("/login/", data={"username": username, "password": TEST_PASSWORD,
                                            "csrf_token": match.group(1)})
        assert resp.status_code in (200, 302), resp.status_code
        token = client.post("/api/v1/security/login", json={
            "username": username, "password": TEST_PASSWORD, "provider": "db"})
        assert token.status_code == 200, token.get_data(as_text=True)
        client.csrf_token = match.group(1)
        client.api_headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
        client.user_id, client.username = user_id, username
        return client

    return login_as
