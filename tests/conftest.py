"""Test fixtures: apps built through create_app on real SQLite and PostgreSQL.

PostgreSQL: a throwaway cluster started here with Debian's server binaries
(or CROSSDOCK_TEST_PG_URL pointing at one), one fresh database per test.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.app import create_app
from core.config import Settings
from tests.erp.tryton_server import fresh_tryton, tryton  # noqa: F401  (real Tryton servers)

TESTS_DIR = Path(__file__).resolve().parent
EXAMPLE_ADDONS = TESTS_DIR / "addons"
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_admin_url():
    """URL of a PostgreSQL server's maintenance database, started for this run."""
    if os.environ.get("CROSSDOCK_TEST_PG_URL"):
        yield os.environ["CROSSDOCK_TEST_PG_URL"]
        return
    if not PG_BIN:
        pytest.fail("PostgreSQL server binaries not found: run the README's test command, "
                    "which installs the Debian package 'postgresql'")
    bin_dir = PG_BIN[-1]
    root = Path(tempfile.mkdtemp(prefix="crossdock-pg-"))
    shutil.chown(root, "postgres") if os.geteuid() == 0 else None
    data = root / "data"
    port = _free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    proc = subprocess.Popen(_as_postgres([
        str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
        "-k", str(root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    engine = create_engine(url)
    for _ in range(100):
        try:
            with engine.connect():
                break
        except Exception:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("PostgreSQL did not start")
    engine.dispose()
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def new_pg_database(admin_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crossdock.sqlite'}"
    return new_pg_database(request.getfixturevalue("pg_admin_url"))


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'crossdock.sqlite'}"


def test_settings(instance: Path, database_url: str, **overrides) -> Settings:
    values = dict(instance_path=instance, database_url=database_url,
                  secret_key="test-secret-key-" + "x" * 32, addons_paths=(EXAMPLE_ADDONS,),
                  addon_poll_seconds=0.0, hub_embedded_threads=0)  # tests start hub workers
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
