"""A throwaway PostgreSQL cluster, for benches and for the test plugin (core/testing/plugin.py).

    with pg_cluster() as admin_url:      # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
        url = create_database(admin_url, "bench")

Debian's server binaries, initdb --locale=C.UTF-8, fsync off: figures are
for queries, not for durability. The cluster and its folder are removed on
exit unless `keep` is given (then it is left running and its folder and pid
are printed).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def pg_cluster(keep: bool = False, shared_buffers: str = "256MB"):
    """Start a cluster; yields the URL of its maintenance database."""
    if not PG_BIN:
        raise SystemExit("PostgreSQL server binaries not found (Debian package 'postgresql')")
    bin_dir = PG_BIN[-1]
    root = Path(tempfile.mkdtemp(prefix="crossdock-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data = root / "data"
    port = _free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True)
    proc = subprocess.Popen(_as_postgres([
        str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(root),
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", f"shared_buffers={shared_buffers}", "-c", "maintenance_work_mem=512MB",
        "-c", "max_wal_size=4GB"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    engine = create_engine(url)
    try:
        for _ in range(200):
            try:
                with engine.connect():
                    break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("PostgreSQL did not start")
        engine.dispose()
        yield url
    finally:
        if keep:
            print(f"PostgreSQL left running: {url} (pid {proc.pid}, folder {root})")
        else:
            # fast shutdown: open sessions are cut, not waited for
            subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                         "-w", "stop"]), capture_output=True, timeout=60)
            proc.wait(timeout=60)
            shutil.rmtree(root, ignore_errors=True)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """A new database on the cluster, empty or a copy of `template`; returns its URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    engine.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)
