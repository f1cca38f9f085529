"""A `crossdock run` killed with SIGKILL while it polls the support mailbox
loses no mail and stores or routes none twice: 60 customer mails in a real
dovecot mailbox, the process killed once some (not all) are stored and the
first are being routed into tickets, a second one started on the same
database: in the end each Message-ID is stored once, routed once, and is
the first message of exactly one ticket.

Real processes (the embedded broker runs the scheduler, the polling and the
processing jobs), one SQLite file they share with this test; short leases
so the second process takes over within seconds. SQLite only: the point is
the processes and the folder lease, the storage is tested elsewhere."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from core.db import db
from tests.helpers import CROSSDOCK
from tests.mail import samples
from tests.mail.ports import free_port
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytest_plugins = ["tests.mail.dovecot_server", "tests.mail.smtp_server"]
pytestmark = pytest.mark.addons("service_desk_mail")
MAILS = 60
REPO = Path(__file__).resolve().parents[2]
TIMING = {  # small batches (a poll stores over many commits), short leases
    "MAIL_POLL_BATCH": "2", "MAIL_POLL_LEASE_SECONDS": "2",
    "HUB_LEASE_SECONDS": "4", "HUB_RESEND_AFTER_SECONDS": "2", "HUB_SWEEP_SECONDS": "0.5",
    "HUB_BACKOFF_BASE_SECONDS": "0.2", "HUB_BACKOFF_CEILING_SECONDS": "1"}


def _wait(predicate, timeout: float, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f}s: {what()}")


def _deliver_all(dovecot) -> None:
    connection = dovecot.imap()
    try:
        for n in range(MAILS):
            status, answer = connection.append("INBOX", None, None, samples.plain_mail(n))
            assert status == "OK", answer
    finally:
        connection.logout()


def test_a_run_killed_while_polling_loses_and_duplicates_no_mail(make_app, database_url, tmp_path,
                                                                 dovecot, smtp_server):
    app = make_app()
    with app.app_context():
        from connectors.hub.models import Backend

        backend = Backend(
            name="Support mailbox", kind="mail", url=f"imap://{dovecot.host}:{dovecot.port}",
            username=dovecot.username, secret=dovecot.password, options_json=json.dumps(
                {"smtp": f"smtp://127.0.0.1:{smtp_server.port}", "smtp_login": False,
                 "domain": "crossdock.example.cn"}))
        db.session.add(backend)
        db.session.commit()
        backend_id = backend.id
        secret_key = app.config["SECRET_KEY"]
        db.session.remove()
        db.engine.dispose()
    _deliver_all(dovecot)

    path = database_url.removeprefix("sqlite:///")
    env = {**os.environ, "PYTHONPATH": str(REPO), "CROSSDOCK_DATABASE_URL": database_url,
           "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
           "CROSSDOCK_SECRET_KEY": secret_key, "CROSSDOCK_PASSWORD_HASH": "pbkdf2:sha256:1000",
           **{f"CROSSDOCK_{k}": v for k, v in TIMING.items()}}
    env.pop("CROSSDOCK_BROKER_URL", None)  # the embedded broker: jobs and scheduler in-process
    logs: list[Path] = []

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"run-{len(logs)}.log")
        return subprocess.Popen([CROSSDOCK, "run", "--port", str(free_port())], env=env,
                                cwd=REPO, stdout=open(logs[-1], "wb"), stderr=subprocess.STDOUT)

    def sql(query: str) -> list[tuple]:
        with sqlite3.connect(path, timeout=10) as conn:
            return conn.execute(query).fetchall()

    def stored() -> int:
        return sql("SELECT count(*) FROM hub_inbound_event WHERE source = 'mail'")[0][0]

    def tail() -> str:
        return f"{stored()} stored; " + " | ".join(p.read_text(errors="replace")[-1500:]
                                                   for p in logs)

    first = start()
    processes = [first]
    try:
        _wait(lambda: stored() >= MAILS // 6, 20, tail)  # storing, processing begun
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = stored()
        assert at_kill < MAILS, "the poll ended before the kill: smaller batches needed"

        def lease_free() -> bool:  # the dead process's folder lease ran out
            [(until,)] = sql("SELECT lease_until FROM mail_folder")
            return until is None or dt.datetime.fromisoformat(until) < dt.datetime.utcnow()
        _wait(lease_free, 10, tail)
        processes.append(start())

        def tickets() -> int:
            return sql("SELECT count(*) FROM desk_ticket")[0][0]
        _wait(lambda: tickets() >= MAILS and not sql(
            "SELECT 1 FROM hub_job WHERE kind = 'inbound.mail' AND state != 'done'"), 30, tail)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    expected = sorted(f"<q{n}@example.com>" for n in range(MAILS))
    assert sorted(sql("SELECT external_id FROM hub_inbound_event WHERE source = 'mail'")) == \
        sorted((f"{backend_id}:{m}",) for m in expected)  # stored once each, the killed run's included
    incoming = sql("SELECT message_id, state FROM mail_incoming ORDER BY message_id")
    assert incoming == [(m, "routed") for m in expected]  # processed once each
    assert sorted(sql("SELECT message_id FROM desk_ticket")) == [(m,) for m in expected]
    assert sql("SELECT count(*) FROM desk_message") == [(MAILS,)]  # one ticket each, no repeat
