"""A real Tryton 8.2 server for tests: the session fixture `tryton`.

The database is built once by `tryton_db.py` (run with .venv-tryton's Python,
~30 s) into /tmp/crossdock-tryton-template-<hash of the builder and year>,
then copied per test session, so a run pays only the server start (~2 s).
Each pytest-xdist worker gets its own copy and server.

The server runs with `[queue] worker = True` and no worker process, like a
deployment that processes confirmed sales later (sale_process_after): a
confirmed sale stays `confirmed` (so it can still be cancelled) until
something calls `sale.sale.process`, which tests do to stand for shipping
having started.

`tryton` (one per session) and `fresh_tryton` (one per test) yield a
`TrytonServer` (a `TrytonUser`, tryton_user.py): url, database, username, password, `rpc(method, *params,
context=...)` to read records back independently of the client under test,
`pay_invoice(id, amount)` and `credit_invoice(id)` to pay or credit an
invoice as a Tryton user does (the pay and credit wizards), `stop()` / `start()` to make it unreachable and bring it back on
the same port.
"""
from __future__ import annotations

import datetime
import fcntl
import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.erp.tryton_user import TrytonUser

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv-tryton" / "bin"
BUILDER = Path(__file__).with_name("tryton_db.py")
DATABASE = "shop"
USERNAME = "admin"
PASSWORD = "crossdock-test-admin"
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def template_dir() -> Path:
    """The built database, made once per builder version (and year: the
    fiscal years cover this year and the next)."""
    key = hashlib.sha256(BUILDER.read_bytes() + str(datetime.date.today().year).encode())
    target = Path(tempfile.gettempdir()) / f"crossdock-tryton-template-{key.hexdigest()[:12]}"
    with open(f"{target}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers: one builds, the others wait
        if not (target / f"{DATABASE}.sqlite").exists():
            building = Path(tempfile.mkdtemp(prefix="crossdock-tryton-build-"))
            result = subprocess.run(
                [str(VENV_BIN / "python"), str(BUILDER), "--path", str(building),
                 "--name", DATABASE, "--password", PASSWORD],
                capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(f"building the Tryton test database failed:\n"
                            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
            shutil.rmtree(target, ignore_errors=True)
            building.rename(target)
    return target


class TrytonServer(TrytonUser):
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        super().__init__(f"http://127.0.0.1:{self.port}", DATABASE, USERNAME, PASSWORD)
        self.process: subprocess.Popen | None = None
        self.config = workdir / "server.conf"
        self.config.write_text(
            f"[database]\nuri = sqlite://\npath = {workdir}\n"
            f"[web]\nlisten = 127.0.0.1:{self.port}\n"
            f"[queue]\nworker = True\n")

    def start(self) -> None:
        log = open(self.workdir / "server.log", "ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "trytond"), "-c", str(self.config), "-d", self.database],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"trytond exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                requests.post(f"{self.url}/rpc/", json={
                    "id": 0, "method": "common.server.version", "params": []}, timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"trytond did not answer within {START_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_tail(self, size: int = 4000) -> str:
        return (self.workdir / "server.log").read_bytes()[-size:].decode(errors="replace")


def _serve_copy(workdir: Path):
    if not (VENV_BIN / "trytond").exists():
        pytest.fail(f"Tryton is not installed in {VENV_BIN.parent}: run `.ci/setup --test`")
    shutil.copy(template_dir() / f"{DATABASE}.sqlite", workdir / f"{DATABASE}.sqlite")
    server = TrytonServer(workdir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tryton(tmp_path_factory):
    yield from _serve_copy(tmp_path_factory.mktemp("tryton"))


@pytest.fixture
def fresh_tryton(tmp_path):
    """A Tryton server on a fresh copy of the database, for tests whose order
    numbers (SO<year>-00001...) must not meet another test's sales."""
    workdir = tmp_path / "tryton"
    workdir.mkdir()
    yield from _serve_copy(workdir)
