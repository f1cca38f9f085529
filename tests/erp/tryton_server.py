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
`TrytonServer`: url, database, username, password, `rpc(method, *params,
context=...)` to read records back independently of the client under test,
`pay_invoice(id, amount)` and `credit_invoice(id)` to pay or credit an
invoice as a Tryton user does (the pay and credit wizards), `stop()` / `start()` to make it unreachable and bring it back on
the same port.
"""
from __future__ import annotations

import base64
import datetime
import fcntl
import hashlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

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


class TrytonServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = DATABASE
        self.username = USERNAME
        self.password = PASSWORD
        self.process: subprocess.Popen | None = None
        self._auth: str | None = None
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

    def rpc(self, method: str, *params, context: dict | None = None):
        """Call Tryton directly (model methods get `context`, default empty, appended)."""
        if self._auth is None:
            user_id, token = self._post("common.db.login",
                                        [self.username, {"password": self.password}, "en"])[:2]
            self._auth = "Session " + base64.b64encode(
                f"{self.username}:{user_id}:{token}".encode()).decode()
        return self._post(method, [*params, context or {}])

    def pay_invoice(self, invoice_id: int, amount: Decimal | None = None,
                    on: datetime.date | None = None) -> None:
        """Pay a posted customer invoice as a Tryton user does: the
        `account.invoice.pay` wizard with the "Cash" payment method (the whole
        amount to pay unless `amount` is given), then `process`, which
        Tryton's queue would run after the reconciliation."""
        self._auth = None  # the wizard wants a fresh session
        context = {"active_id": invoice_id, "active_ids": [invoice_id],
                   "active_model": "account.invoice"}
        session, start, _ = self.rpc("wizard.account.invoice.pay.create")
        form = self.rpc("wizard.account.invoice.pay.execute", session, {}, start,
                        context=context)["view"]["defaults"]
        method, = self.search_read("account.invoice.payment.method",
                                   [("name", "=", "Cash")], ["id"])
        form.update(payment_method=method["id"], date=on or datetime.date.today())
        if amount is not None:
            form["amount"] = amount
        data = {start: {k: v for k, v in form.items() if "." not in k}}
        answer = self.rpc("wizard.account.invoice.pay.execute", session, data, "choice",
                          context=context)
        if answer.get("view"):  # a partial payment: Tryton asks what to do with the rest
            ask = {k: v for k, v in answer["view"]["defaults"].items() if "." not in k}
            ask["type"] = "partial"
            self.rpc("wizard.account.invoice.pay.execute", session, {**data, "ask": ask},
                     "pay", context=context)
        self.rpc("wizard.account.invoice.pay.delete", session)

    def credit_invoice(self, invoice_id: int) -> None:
        """Credit a customer invoice as a Tryton user does (the credit wizard,
        without refund): a draft credit note whose lines point at its lines."""
        context = {"active_id": invoice_id, "active_ids": [invoice_id],
                   "active_model": "account.invoice"}
        session, start, _ = self.rpc("wizard.account.invoice.credit.create")
        self.rpc("wizard.account.invoice.credit.execute", session, {}, start, context=context)
        self.rpc("wizard.account.invoice.credit.execute", session, {
            start: {"with_refund": False, "invoice_date": None}}, "credit", context=context)
        self.rpc("wizard.account.invoice.credit.delete", session)

    def _post(self, method: str, params: list):
        body = json.dumps({"id": 1, "method": method, "params": params}, default=_encode)
        headers = {"Content-Type": "application/json"}
        if self._auth:
            headers["Authorization"] = self._auth
        response = requests.post(f"{self.url}/{self.database}/rpc/", data=body,
                                 headers=headers, timeout=30)
        response.raise_for_status()
        answer = json.loads(response.content, object_hook=lambda o: (
            Decimal(o["decimal"]) if o.get("__class__") == "Decimal" else o))
        if answer.get("error"):
            raise AssertionError(f"Tryton refused {method}: {answer['error']}")
        return answer["result"]

    def search_read(self, model: str, domain: list, fields: list[str]) -> list[dict]:
        return self.rpc(f"model.{model}.search_read", domain, 0, None, [["id", "ASC"]], fields)


def _encode(value):
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month,
                "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


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
