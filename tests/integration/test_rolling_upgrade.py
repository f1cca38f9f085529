"""A rolling upgrade without downtime, with real processes on PostgreSQL.

Release 1 of the test addon `shelf` (tests/addons_upgrade/v1) serves from
gunicorn (two worker processes, JSON logs, metrics in multiprocess mode) while
a client keeps reading and writing. Another process checks release 2's
migration (expand) and applies it with release 2's code; release 1 keeps
answering, without an error and still ready. Then release 2 serves, and the
rows both releases wrote are there, each as its release wrote it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.live_server import _free_port, crossdock_command

pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]
REPO = Path(__file__).resolve().parents[2]
RELEASES = REPO / "tests" / "addons_upgrade"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "Rolling-upgrade-42"
TOKEN = "metrics-token-rolling"
DEADLINE = 90  # seconds for a server to become ready


def environment(tmp_path, database_url, release) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_DATABASE_URL=database_url,
               CROSSDOCK_INSTANCE_PATH=str(tmp_path / "instance"),
               CROSSDOCK_SECRET_KEY="rolling-upgrade-secret-" + "x" * 32,
               CROSSDOCK_PASSWORD_HASH="pbkdf2:sha256:1000",
               CROSSDOCK_ADDONS_PATH=str(RELEASES / release),
               CROSSDOCK_LOG_FORMAT="json", CROSSDOCK_METRICS_TOKEN=TOKEN,
               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / f"metrics-{release}"),
               PYTHONUNBUFFERED="1")
    return env


def crossdock(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*crossdock_command(), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)


@contextmanager
def gunicorn(env, log: Path, workers: int):
    port = _free_port()
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [GUNICORN, "-c", "python:core.serving.gunicorn_config", "wsgi:app",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn not ready within {DEADLINE}s:\n{log.read_text()}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def api(url) -> requests.Session:
    http = requests.Session()
    token = http.post(url + "/api/v1/security/login", timeout=10, json={
        "username": "ops", "password": PASSWORD, "provider": "db"}).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


class Client(threading.Thread):
    """Writes an item and reads the list, again and again, noting each answer."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.http, self.url = api(url), url + "/api/v1/shelfitem/"
        self.stop, self.answers, self.names = threading.Event(), [], []

    def run(self):
        i = 0
        while not self.stop.is_set():
            name = f"release-1 item {i}"
            wrote = self.http.post(self.url, json={"name": name}, timeout=10)
            read = self.http.get(self.url, params={"q": "(page_size:5)"}, timeout=10)
            self.answers.append((time.monotonic(), wrote.status_code, read.status_code))
            if wrote.status_code == 201:
                self.names.append(name)
            i += 1
            time.sleep(0.05)


def test_expand_migration_under_the_running_release_then_the_new_code(tmp_path, database_url):
    v1, v2 = (environment(tmp_path, database_url, r) for r in ("v1", "v2"))
    for args in (("addons", "install", "shelf"),
                 ("user", "create", "--username", "ops", "--email", "ops@example.com",
                  "--role", "Sales Manager", "--password", PASSWORD)):
        done = crossdock(v1, *args)
        assert done.returncode == 0, done.stderr

    old_log = tmp_path / "release-1.log"
    with gunicorn(v1, old_log, workers=2) as old:
        client = Client(old)
        client.start()
        time.sleep(1)
        check = crossdock(v2, "db", "check-upgrade")
        assert (check.returncode, check.stdout) == (0, "shelf 0002_shelf_colour: expand\n")
        started = time.monotonic()
        upgrade = crossdock(v2, "db", "upgrade")
        finished = time.monotonic()
        assert (upgrade.returncode, upgrade.stdout) == (
            0, "platform: up to date\naddons upgraded: shelf\n"), upgrade.stderr
        time.sleep(1)
        assert requests.get(old + "/readyz", timeout=5).status_code == 200  # ahead: tolerated
        client.stop.set()
        client.join(timeout=30)
        metrics = requests.get(old + "/metrics", timeout=10,
                               headers={"Authorization": f"Bearer {TOKEN}"}).text

    assert client.answers and {(w, r) for _t, w, r in client.answers} == {(201, 200)}
    assert any(started <= t <= finished for t, _w, _r in client.answers), \
        "no request answered while the migration ran"
    posts = f'crossdock_http_requests_total{{method="POST",route="/api/v1/shelfitem/",' \
            f'status="2xx"}} {float(len(client.answers))}'
    assert posts in metrics  # both workers' counts, summed
    lines = [line for line in old_log.read_text().splitlines() if line.strip()]
    logged = [json.loads(line) for line in lines]  # every line JSON, gunicorn's too
    assert any(x["logger"] == "gunicorn.error" for x in logged)
    access = [x for x in logged if x["logger"] == "crossdock.access"]
    assert len(access) >= 2 * len(client.answers)  # a line per request, with its id
    assert all(x["request_id"] and x["route"] for x in access)
    assert not any(x["level"] in ("ERROR", "CRITICAL") for x in logged), old_log.read_text()

    with gunicorn(v2, tmp_path / "release-2.log", workers=1) as new:
        http = api(new)
        assert http.post(new + "/api/v1/shelfitem/", timeout=10,
                         json={"name": "release-2 item", "colour": "red"}).status_code == 201
        rows, page = [], 0
        while batch := http.get(new + "/api/v1/shelfitem/", timeout=10, params={
                "q": f"(page:{page},page_size:100)"}).json()["result"]:
            rows, page = rows + batch, page + 1
    assert len(rows) == len(client.names) + 1
    assert {(r["name"], r["colour"]) for r in rows} == {
        *((n, None) for n in client.names), ("release-2 item", "red")}
