"""Several processes on one SQLite file, as the embedded default is used:
`crossdock run` (web, hub worker threads, scheduler) serving while an operator
types commands that read and then write, and first starts racing on a new file.

SQLite's DEFERRED transactions fail at once with "database is locked" when
another connection commits between their first read and their first write
(busy_timeout does not help there); core/db.py begins writing transactions
IMMEDIATE. Real processes only: the point is the file shared between them.
"""
from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.helpers import CROSSDOCK, csrf_token
from tests.live_server import ADMIN_LINE, EXAMPLE_ADDONS

LOCKED = "database is locked"
SETUP = """
from core.app import create_app
from core.db import db
from core.addons import lifecycle
from connectors.hub.backends import save_backend
app = create_app()
with app.app_context():
    lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["sales", "example_notes"])
    save_backend(db.session, None, name="erp", kind="tryton", url="http://127.0.0.1:9",
                 database="shop", username="admin", secret="s3cret", options_json="")
    db.session.commit()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(tmp_path / "instance"),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS),
               CROSSDOCK_HUB_SWEEP_SECONDS="1",
               # a failed job waits minutes before its next attempt, so it
               # stays queued (retryable) while the commands below run
               CROSSDOCK_HUB_BACKOFF_BASE_SECONDS="600",
               PYTHONUNBUFFERED="1")
    return env


class Commands:
    """`crossdock` processes run from several threads; every outcome kept."""

    def __init__(self, env: dict):
        self.env = env
        self.results: list[subprocess.CompletedProcess] = []
        self._lock = threading.Lock()

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        out = subprocess.run([CROSSDOCK, *args], env=self.env, capture_output=True, text=True,
                             timeout=90, stdin=subprocess.DEVNULL)
        with self._lock:
            self.results.append(out)
        return out

    def failures(self) -> list[str]:
        return [f"{' '.join(r.args[1:])} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
                for r in self.results if r.returncode != 0 or LOCKED in r.stderr + r.stdout]


def _in_thread(fn, errors: list) -> threading.Thread:
    def run():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(repr(exc))
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _queued_jobs(db_file: Path) -> list[int]:
    with sqlite3.connect(db_file, timeout=10) as conn:
        return [r[0] for r in conn.execute(
            "SELECT id FROM hub_job WHERE state = 'queued' AND attempts >= 1 ORDER BY id")]


def _start_server(env: dict, root: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    log = root / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([CROSSDOCK, "run", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"crossdock run exited:\n{log.read_text()}"
        match = ADMIN_LINE.search(log.read_text())
        if match:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return proc, f"http://127.0.0.1:{port}", log
            except OSError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"crossdock run did not come up:\n{log.read_text()}")


def test_first_starts_race_on_a_new_file(tmp_path):
    """Two processes migrate one empty SQLite file at once: both succeed."""
    env = _env(tmp_path)
    started = time.monotonic()
    procs = [subprocess.Popen([CROSSDOCK, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [(p.wait(timeout=90), *p.communicate()) for p in procs]
    for code, out, err in outs:
        assert code == 0 and "platform: up to date" in out, err
        assert LOCKED not in err
    print(f"two concurrent first starts: {time.monotonic() - started:.1f}s")


def test_run_beside_cli_commands_and_http_writes(tmp_path):
    """`crossdock run` serves and runs failing sync jobs (the ERP answers
    nowhere) while CLI commands that read then write and HTTP POSTs run at the
    same time: every command exits 0, no request fails, nobody logs a lock."""
    env = _env(tmp_path)
    started = time.monotonic()
    setup = subprocess.run([sys.executable, "-c", SETUP], env=env, capture_output=True,
                           text=True, timeout=90)
    assert setup.returncode == 0, setup.stderr
    server, url, log = _start_server(env, tmp_path)
    username, password = ADMIN_LINE.search(log.read_text()).groups()
    db_file = tmp_path / "instance" / "crossdock.sqlite"
    crossdock = Commands(env)
    errors: list[str] = []
    statuses: list[int] = []
    cli_done = threading.Event()

    def demo_then_retry():
        crossdock("sales", "demo")  # confirms 6 orders: 6 jobs the server runs and fails
        deadline = time.monotonic() + 30
        while len(_queued_jobs(db_file)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        crossdock("hub", "retry", *map(str, _queued_jobs(db_file)[:2]))
        crossdock("hub", "sweep")

    def toggle_addon():
        crossdock("addons", "disable", "example_notes")
        crossdock("addons", "enable", "example_notes")

    def http_writes():
        """A login (counts failures, then writes its audit row) and then
        language switches (read the preference, then write it), in a loop."""
        locales = ["zh", "en"]
        while not cli_done.is_set():
            http = requests.Session()
            token = csrf_token(http.get(url + "/login/", timeout=30).text)
            statuses.append(http.post(url + "/login/", timeout=30, allow_redirects=False, data={
                "username": username, "password": password, "csrf_token": token}).status_code)
            for _ in range(5):  # fewer logins: hashing the password would starve the CLI
                locales.reverse()
                statuses.append(http.post(url + "/preferences/language", timeout=30,
                                          allow_redirects=False, data={
                                              "locale": locales[0], "csrf_token": token}
                                          ).status_code)
                time.sleep(0.05)

    try:
        cli = [_in_thread(demo_then_retry, errors), _in_thread(toggle_addon, errors)]
        web = _in_thread(http_writes, errors)
        for thread in cli:
            thread.join(timeout=120)
        cli_done.set()
        web.join(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    server_log = log.read_text()
    elapsed = time.monotonic() - started
    print(f"{len(crossdock.results)} commands and {len(statuses)} HTTP POSTs beside "
          f"crossdock run: {elapsed:.1f}s")
    assert not errors, errors
    assert len(crossdock.results) == 5
    assert not crossdock.failures(), "\n".join(crossdock.failures())
    assert statuses and set(statuses) == {302}, statuses
    assert LOCKED not in server_log and "Traceback" not in server_log, server_log
    assert re.search(r"job #\d+: retry done", "".join(r.stdout for r in crossdock.results))
