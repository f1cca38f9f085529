"""Real hub processes for tests: a throwaway Redis, `crossdock worker` and
`crossdock scheduler` processes on one PostgreSQL database, and the app in
the test's process that writes the work. Tests that break workers on purpose
(test_hub_reliability.py, test_social_leads_burst.py,
test_production_cluster.py, test_einvoicing_killed_workers.py) subclass or
use `Hub` with their data and settings; the broker is Redis or RabbitMQ
(tests/rabbitmq_server.py), anything with a `url`.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from core.db import db
from tests.helpers import CROSSDOCK
from tests.live_server import EXAMPLE_ADDONS, REPO

GUNICORN = str(Path(CROSSDOCK).with_name("gunicorn"))

HUB_TIMING = {  # short leases and delays so a test sees recovery within seconds
    "HUB_LEASE_SECONDS": "8", "HUB_RESEND_AFTER_SECONDS": "4", "HUB_SWEEP_SECONDS": "1",
    "HUB_BACKOFF_BASE_SECONDS": "0.5", "HUB_BACKOFF_CEILING_SECONDS": "3",
    "HUB_RECOVERY_GRACE_SECONDS": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f}s: {what() if callable(what) else what}")


class RedisServer:
    """A throwaway redis-server without persistence: a restart loses every message."""

    def __init__(self, workdir: Path):
        self.workdir, self.port = workdir, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Hub:
    """The app in this process (it writes the work) and worker/scheduler processes."""

    def __init__(self, tmp_path: Path, pg_admin_url: str, broker, **more: str):
        """`more`: further settings by field name (say en16931_artefacts="..."),
        for the app here and, as CROSSDOCK_* variables, for the processes."""
        from tests.conftest import new_pg_database
        from tests.conftest import test_settings as settings_for

        self.database_url = new_pg_database(pg_admin_url)
        self.instance = tmp_path / "instance"
        settings = settings_for(self.instance, self.database_url, broker_url=broker.url,
                                 **{k.lower(): float(v) for k, v in HUB_TIMING.items()}, **more)
        from core.app import create_app

        self.app = create_app(settings)
        self.app.config["TESTING"] = True
        self.env = {**os.environ, "CROSSDOCK_INSTANCE_PATH": str(self.instance),
                    "CROSSDOCK_DATABASE_URL": self.database_url,
                    "CROSSDOCK_BROKER_URL": broker.url,
                    "CROSSDOCK_ADDONS_PATH": str(EXAMPLE_ADDONS),  # as the app here
                    "CROSSDOCK_SECRET_KEY": settings.secret_key,
                    **{f"CROSSDOCK_{k}": v for k, v in HUB_TIMING.items()},
                    **{f"CROSSDOCK_{k.upper()}": v for k, v in more.items()}}
        self.webs: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.schedulers: list[subprocess.Popen] = []
        self.process_logs: dict[int, Path] = {}
        self.logs = tmp_path / "logs"
        self.logs.mkdir()

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        path = self.logs / f"{name}-{time.monotonic_ns()}.log"
        with open(path, "wb") as log:
            proc = subprocess.Popen(command, env=self.env, cwd=REPO, stdout=log,
                                    stderr=subprocess.STDOUT)
        self.process_logs[proc.pid] = path
        return proc

    def start_worker(self, threads: int = 3) -> subprocess.Popen:
        proc = self._spawn("worker", [CROSSDOCK, "worker", "--threads", str(threads)])
        self.workers.append(proc)
        return proc

    def alive_workers(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def working(self, proc: subprocess.Popen) -> bool:
        """Started up (it prints its thread count once its threads consume)."""
        return b"hub worker:" in self.process_logs[proc.pid].read_bytes()

    def start_scheduler(self) -> subprocess.Popen:
        proc = self._spawn("scheduler", [CROSSDOCK, "scheduler"])
        self.schedulers.append(proc)
        return proc

    def start_web(self) -> tuple[subprocess.Popen, str]:
        """A web process as production runs one (gunicorn, core/serving/gunicorn_config.py),
        one worker process of 4 threads on a free port; with its base URL. The
        caller waits for it (wait_serving), so that several start at once."""
        port = free_port()
        proc = self._spawn("web", [GUNICORN, "-c", "python:core.serving.gunicorn_config",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                   "--threads", "4", "wsgi:app"])
        self.webs.append(proc)
        return proc, f"http://127.0.0.1:{port}"

    def wait_serving(self, proc: subprocess.Popen, base_url: str, timeout: float = 120) -> None:
        def serving() -> bool:
            assert proc.poll() is None, f"web process exited:\n{self.log_tail()}"
            try:
                # the first request waits for the worker process's create_app
                return requests.get(base_url + "/login/", timeout=10).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False
        wait_until(serving, timeout, lambda: f"{base_url} not serving:\n{self.log_tail()}")

    def processes(self) -> list[subprocess.Popen]:
        return [*self.webs, *self.workers, *self.schedulers]

    def kill_worker(self, victim: subprocess.Popen) -> None:
        victim.send_signal(signal.SIGKILL)
        victim.wait()

    def stop(self) -> None:
        for proc in self.processes():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.app.extensions["hub"].broker.close()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def log_tail(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-1500:] for p in self.logs.iterdir())

    def job_states(self) -> dict[str, int]:
        from connectors.hub.models import SyncJob

        with self.app.app_context():
            rows = db.session.execute(select(SyncJob.state, func.count(SyncJob.id))
                                      .group_by(SyncJob.state)).all()
            db.session.remove()
        return dict(rows)

    def all_finished(self, total: int) -> bool:
        states = self.job_states()
        return states.get("done", 0) + states.get("failed", 0) == total



@pytest.fixture
def redis(tmp_path):
    """A throwaway Redis server for the test (tests/conftest.py makes it a fixture everywhere)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()
