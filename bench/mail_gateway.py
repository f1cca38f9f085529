"""Mail through the hub (issue 16), on SQLite, against real servers: aiosmtpd
(tests/mail/smtp_server.py) and Debian's dovecot (tests/mail/dovecot_server.py)
on loopback, two worker threads of the embedded broker running the jobs.

1. send: K mails queued with `send_mail` (one commit each), then the workers
   drain the send jobs: mails sent per second (from the first job's start
   to the last accepted by the server); exactness: the server holds K
   messages, each Message-ID once.
2. receive: N mails put in the mailbox (IMAP APPEND, not timed); one poll
   fetches and stores them (per second); the workers process them through a
   route added to `mail_routes` (routed per second); exactness: N stored
   events, N routed, a second poll finds nothing.
3. IDLE: the elected scheduler's one round starts the IMAP IDLE watch (no
   round follows, so no scheduled poll); M mails appended one at a time,
   each timed from its APPEND to its stored inbound event: p50, p95, max
   (dovecot itself announces a change about 0.5 s after it, by design: it
   gathers changes for that long before it tells an idling client).

    .venv/bin/python bench/mail_gateway.py                      # K = N = 500, M = 20
    .venv/bin/python bench/mail_gateway.py --mails 50 --received 50 --idle 5
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.invoicing_sync import _drain  # noqa: E402
from tests.mail import samples  # noqa: E402
from tests.mail.dovecot_server import DovecotServer, _account  # noqa: E402
from tests.mail.ports import free_port  # noqa: E402
from tests.mail.smtp_server import SmtpServer  # noqa: E402

DOMAIN = "crossdock.example.cn"


def _app(instance: Path):
    from core.app import create_app
    from core.config import Settings

    url = f"sqlite:///{instance / 'mail.sqlite'}"
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0, hub_embedded_threads=0,
                                       hub_backoff_base_seconds=0.2))
    with app.app_context():
        from core.addons import lifecycle
        from core.db import db

        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["mail_gateway"])
    return app


def _account_row(app, dovecot: DovecotServer, smtp_port: int) -> None:
    from connectors.hub.models import Backend
    from core.db import db

    with app.app_context():
        db.session.add(Backend(name="Support", kind="mail",
                               url=f"imap://{dovecot.host}:{dovecot.port}",
                               username=dovecot.username, secret=dovecot.password,
                               options_json=json.dumps({"smtp": f"smtp://127.0.0.1:{smtp_port}",
                                                        "smtp_login": False,
                                                        "domain": DOMAIN})))
        db.session.commit()


def send(app, smtp: SmtpServer, k: int) -> None:
    from addons.mail_gateway.services import send_mail
    from connectors.mail.outgoing import OutgoingMail
    from core.db import db

    started = time.perf_counter()
    with app.app_context():
        for n in range(k):
            send_mail(db.session, OutgoingMail(
                reference="", sender="客服 <support@crossdock.example.cn>",
                to=(f"customer{n}@example.com",), subject=f"工单 T-{n} 已回复",
                text="您好，打印机已修好。\n"), record=("bench.ticket", n))
            db.session.commit()
        db.session.remove()
    queued = time.perf_counter() - started
    seconds = _drain(app, "mail_gateway.send", k)
    ids = [r.data.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0] for r in smtp.received]
    assert len(ids) == k == len(set(ids)), (len(ids), len(set(ids)))
    print(f"queue: {k} mails in {queued:.2f} s, {k / queued:.0f}/s (send_mail + commit)")
    print(f"send: {k} mails in {seconds:.2f} s, {k / seconds:.0f}/s, each delivered once")


def receive(app, dovecot: DovecotServer, n: int) -> None:
    from sqlalchemy import func, select

    from addons.mail_gateway.models import IncomingMailRecord
    from addons.mail_gateway.services import MailRoute, mail_routes
    from addons.mail_gateway.services.polling import poll_accounts
    from connectors.hub.models import InboundEvent
    from core.db import db

    mail_routes.add("mail_gateway", MailRoute(handle=lambda session, delivery: None,
                                              alias="support@"))
    connection = dovecot.imap()
    for i in range(n):
        connection.append("INBOX", None, None, samples.plain_mail(i, size=2000))
    connection.logout()
    with app.app_context():
        started = time.perf_counter()
        said = poll_accounts(db.session)
        polled = time.perf_counter() - started
        db.session.remove()
    seconds = _drain(app, "inbound.mail", n)
    with app.app_context():
        again = poll_accounts(db.session)
        events = db.session.scalar(select(func.count()).select_from(InboundEvent))
        routed = db.session.scalar(select(func.count()).select_from(IncomingMailRecord)
                                   .where(IncomingMailRecord.state == "routed"))
        db.session.remove()
    assert events == routed == n and "0 new" in again, (said, again, events, routed)
    print(f"poll: {n} mails fetched and stored in {polled:.2f} s, {n / polled:.0f}/s ({said})")
    print(f"route: {n} mails processed in {seconds:.2f} s, {n / seconds:.0f}/s, "
          f"each stored and routed once")


def idle(app, dovecot: DovecotServer, m: int) -> None:
    from sqlalchemy import func, select

    from bench.contacts_list_search import pct
    from connectors.hub.models import InboundEvent
    from connectors.hub.scheduler import Scheduler
    from core.db import db

    def stored() -> int:
        with app.app_context():
            try:
                return db.session.scalar(select(func.count()).select_from(InboundEvent))
            finally:
                db.session.remove()

    scheduler = Scheduler(app.extensions["hub"], "bench")
    scheduler.tick()  # elected: the IDLE watch starts
    try:
        time.sleep(1.0)  # connected and idling (a mail before that is found at connect anyway)
        seconds = []
        for i in range(m):
            before = stored()
            started = time.perf_counter()
            dovecot.deliver(samples.plain_mail(100_000 + i))
            while stored() == before:
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"IDLE: mail {i + 1} not stored within 30 s")
                time.sleep(0.005)
            seconds.append(time.perf_counter() - started)
    finally:
        scheduler.stop()
    ms = sorted(s * 1000 for s in seconds)
    print(f"idle: {m} mails appended one at a time, each stored in p50 "
          f"{ms[len(ms) // 2]:.0f} ms, p95 {pct(ms, .95):.0f} ms, max {ms[-1]:.0f} ms "
          f"(no poll round)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--received", type=int, default=500)
    parser.add_argument("--idle", type=int, default=20, help="mails timed through IMAP IDLE")
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    mailboxes = Path(tempfile.mkdtemp(prefix="bench-mail-dovecot-"))  # dovecot's user owns it
    dovecot = DovecotServer(mailboxes, _account())
    smtp = SmtpServer(port=free_port())
    controller = Controller(smtp, hostname="127.0.0.1", port=smtp.port)
    controller.start()
    try:
        dovecot.start()
        dovecot.new_account()
        app = _app(folder / "instance")
        _account_row(app, dovecot, smtp.port)
        send(app, smtp, args.mails)
        receive(app, dovecot, args.received)
        idle(app, dovecot, args.idle)
    finally:
        controller.stop()
        dovecot.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(mailboxes, ignore_errors=True)


if __name__ == "__main__":
    main()
