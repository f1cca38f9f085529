"""Mail through the hub (addons/mail_gateway) against real servers: aiosmtpd
for what we send, Debian's dovecot for what we receive. A mail delivered
once after a 451; a 550 failed with the server's reply; a mailbox polled
twice stores each message once, raw, and routes it through the
`mail_routes` extension point; a poll whose transaction is lost after
fetching is read again and stored once; a bounce marks the mail it bounces,
an auto-reply reaches no auto-answering route, a reply reaches the record
it answers. SQLite only: the protocol and the hub, not the storage."""
from __future__ import annotations

import email
import json
import threading
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.hub.models import Backend, InboundEvent
from connectors.mail import identity
from connectors.mail.outgoing import OutgoingMail
from core.db import db
from tests.invoicing_world import jobs_run_out
from tests.mail import samples
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytest_plugins = ["tests.mail.dovecot_server", "tests.mail.smtp_server"]
pytestmark = pytest.mark.addons("mail_gateway")
DOMAIN = "crossdock.example.cn"
TEMPLATES = Path(__file__).parent.parent / "mail" / "templates"


@pytest.fixture
def app(make_app):
    return make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)


@pytest.fixture
def account(app, dovecot, smtp_server):
    """A `mail` backend: the test's dovecot mailbox and the aiosmtpd server."""
    with app.app_context():
        backend = Backend(name="Support mailbox", kind="mail",
                          url=f"imap://{dovecot.host}:{dovecot.port}",
                          username=dovecot.username, secret=dovecot.password,
                          options_json=json.dumps({"smtp": f"smtp://127.0.0.1:{smtp_server.port}",
                                                   "smtp_login": False, "domain": DOMAIN}))
        db.session.add(backend)
        db.session.commit()
        return backend.id


@pytest.fixture
def routed(monkeypatch):
    """Routes added through the extension point, as an addon's register()
    does (as mail_gateway itself, the addon active here); what each got."""
    from addons.mail_gateway.services import MailRoute, mail_routes

    monkeypatch.setattr(mail_routes, "_hooks", [])
    got: list[tuple[str, str, str | None, int | None]] = []
    lock = threading.Lock()

    def route(name, **how):
        def handle(session, delivery):
            with lock:
                got.append((name, delivery.mail.subject, delivery.record_model,
                            delivery.record_id))
            return f"{name} took it"
        mail_routes.add("mail_gateway", MailRoute(handle=handle, **how))

    return route, got


def _send(app, subject="工单 T-7", to=("li.na@customer.example.cn",), **fields):
    from addons.mail_gateway.services import send_mail

    with app.app_context():
        row = send_mail(db.session, OutgoingMail(
            reference="", sender="客服 <support@crossdock.example.cn>", to=to,
            subject=subject, text="您好", **fields), record=("tests.ticket", 7))
        db.session.commit()
        return row.id


def _outgoing(app, mail_id):
    from addons.mail_gateway.models import OutgoingMailRecord

    with app.app_context():
        row = db.session.get(OutgoingMailRecord, mail_id)
        found = (row.state, row.state_text, row.attempts, row.message_id, row.reference)
        db.session.remove()
        return found


def _poll(app) -> str:
    from addons.mail_gateway.services.polling import poll_accounts

    with app.app_context():
        try:
            return poll_accounts(db.session)
        finally:
            db.session.remove()


def _incoming(app) -> list[tuple]:
    from addons.mail_gateway.models import IncomingMailRecord

    with app.app_context():
        rows = db.session.scalars(select(IncomingMailRecord).order_by(IncomingMailRecord.event_id))
        found = [(r.sender, r.subject, r.state, r.routed_to, r.record_model, r.record_id)
                 for r in rows]
        db.session.remove()
        return found


def test_a_mail_is_delivered_once_after_a_451_the_same_message(app, account, smtp_server):
    from addons.mail_gateway.services import render, send_mail

    smtp_server.answers.append("451 4.3.0 Mail server temporarily rejected message")
    text = render(TEMPLATES, "ticket_answer", "zh-CN", number="T-7", name="李娜",
                  answer="打印机已修好。")
    assert text.language == "zh"  # no zh-CN file: its base language, not English

    with app.app_context():
        row = send_mail(db.session, OutgoingMail(
            reference="", sender="客服 <support@crossdock.example.cn>",
            to=("李娜 <li.na@customer.example.cn>",), subject=text.subject, text=text.text,
            language=text.language), record=("tests.ticket", 7))
        db.session.commit()
        mail_id = row.id

    jobs = jobs_run_out(app)

    assert [(kind, state) for kind, state, _ in jobs] == [("mail_gateway.send", "done")]
    state, said, attempts, message_id, reference = _outgoing(app, mail_id)
    assert (state, attempts) == ("sent", 2)
    assert f"took {message_id} for 李娜 <li.na@customer.example.cn>" in said
    assert smtp_server.attempts == [message_id, message_id]  # the retry is the same message
    [received] = smtp_server.received
    assert reference == f"tests.ticket/7/mail/{mail_id}"
    assert received.mail_from == identity.bounce_address(identity.token_for(reference), DOMAIN)
    message = email.message_from_bytes(received.data, policy=policy.default)
    assert message["Message-ID"] == message_id
    assert message["Subject"] == "工单 T-7 已回复"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == \
        "李娜，您好：\n打印机已修好。\n"
    with app.app_context():  # queued again under its reference: that mail, nothing more
        again = send_mail(db.session, OutgoingMail(reference=reference, sender="", to=("x@y.z",),
                                                   subject="again", text=""),
                          record=("tests.ticket", 7))
        db.session.commit()
        assert again.id == mail_id and again.state == "sent"
    assert jobs_run_out(app) == jobs


def test_a_550_fails_the_mail_with_the_servers_reply_shown_and_retried(
        app, account, smtp_server, client_as):
    smtp_server.answers.append("550 5.7.1 Message rejected as spam by content filter")
    mail_id = _send(app)

    [(kind, state, error)] = jobs_run_out(app)

    assert (kind, state) == ("mail_gateway.send", "failed")
    state, said, attempts, message_id, _ = _outgoing(app, mail_id)
    assert (state, attempts) == ("failed", 1)
    assert "550 5.7.1 Message rejected as spam by content filter" in said
    assert smtp_server.received == []
    admin = client_as("Admin")
    page = admin.get("/mail/outgoing/list/").get_data(as_text=True)
    assert "550 5.7.1 Message rejected as spam by content filter" in page
    assert "tests.ticket #7" in page
    shown = admin.get(f"/mail/outgoing/show/{mail_id}").get_data(as_text=True)
    assert message_id.strip("<>") in shown and f"/mail/outgoing/retry/{mail_id}" in shown
    for screen in ("/mail/incoming/list/", "/mail/mailboxes/list/"):
        assert admin.get(screen).status_code == 200

    answer = admin.post(f"/mail/outgoing/retry/{mail_id}",
                        data={"csrf_token": admin.csrf_token})
    assert answer.status_code == 302
    jobs_run_out(app)

    state, _, attempts, _, _ = _outgoing(app, mail_id)
    assert (state, attempts) == ("sent", 2)
    assert smtp_server.attempts == [message_id, message_id]
    assert len(smtp_server.received) == 1


def test_a_mailbox_polled_twice_stores_each_message_once_raw_and_routes_it(
        app, account, dovecot, routed):
    route, got = routed
    route("support", alias="support@")
    gbk = samples.gbk_customer_mail()
    dovecot.deliver(gbk)
    dovecot.deliver(samples.plain_mail(1))

    said = _poll(app)
    again = _poll(app)

    assert "Support mailbox/INBOX: 2 new" in said and "Support mailbox/INBOX: 0 new" in again
    with app.app_context():
        events = db.session.scalars(select(InboundEvent).order_by(InboundEvent.id)).all()
        assert [e.external_id for e in events] == [f"{account}:<gbk-1@customer.example.cn>",
                                                   f"{account}:<q1@example.com>"]
        from addons.mail_gateway.services.stored_mail import raw_of
        assert raw_of(events[0].json()) == gbk  # 8-bit GBK kept byte for byte
        db.session.remove()
    jobs_run_out(app)
    assert sorted(got) == [("support", "question 1", None, None),
                           ("support", "打印机故障 朱镕基", None, None)]
    assert [(s, state, to) for s, _, state, to, _, _ in _incoming(app)] == [
        ("li.na@customer.example.cn", "routed", "support took it"),
        ("customer1@example.com", "routed", "support took it")]


def test_a_poll_lost_after_fetching_is_read_again_and_stored_once(
        app, account, dovecot, monkeypatch):
    """As a worker killed mid-poll: the fetch happened, its transaction never
    committed. And a folder another worker holds is left alone."""
    from addons.mail_gateway.models import MailFolder
    from addons.mail_gateway.services import polling

    dovecot.deliver(samples.plain_mail(1))
    dovecot.deliver(samples.plain_mail(2))
    real_receive = polling.hub.receive
    calls = []

    def dies_after_the_first(session, *args):
        calls.append(args[1])
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real_receive(session, *args)

    monkeypatch.setattr(polling.hub, "receive", dies_after_the_first)
    with pytest.raises(RuntimeError, match="killed"):
        _poll(app)
    monkeypatch.setattr(polling.hub, "receive", real_receive)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboundEvent)) == 0
        folder = db.session.scalars(select(MailFolder)).one()
        assert (folder.last_uid, folder.lease_token) == (0, None)
        assert "RuntimeError: killed" in folder.last_error
        folder.lease_token = "another-worker"  # a live lease of someone else
        folder.lease_until = folder.last_error_at.replace(year=2999)
        db.session.commit()
    assert "being polled by another worker" in _poll(app)
    with app.app_context():
        db.session.scalars(select(MailFolder)).one().lease_token = None
        db.session.commit()

    assert "2 new" in _poll(app)
    assert "0 new" in _poll(app)
    with app.app_context():
        assert sorted(db.session.scalars(select(InboundEvent.external_id))) == [
            f"{account}:<q1@example.com>", f"{account}:<q2@example.com>"]
        assert db.session.scalars(select(MailFolder)).one().last_uid == 2


def test_bounces_and_auto_replies_reach_no_auto_answering_route_replies_reach_their_record(
        app, account, dovecot, smtp_server, routed):
    route, got = routed
    route("tickets", alias="support@", model="tests.ticket", answers_automatically=True,
          record_of_tag=lambda session, tag: int(tag.split("-")[1]))
    mail_id = _send(app)
    jobs_run_out(app)
    _, _, _, message_id, reference = _outgoing(app, mail_id)
    dovecot.deliver(samples.bounce_of(message_id, identity.bounce_address(
        identity.token_for(reference), DOMAIN)))
    dovecot.deliver(samples.auto_reply(message_id))
    dovecot.deliver(
        ("From: li.na@customer.example.cn\r\nTo: support@crossdock.example.cn\r\n"
         "Subject: Re: T-7\r\nMessage-ID: <answer-1@customer.example.cn>\r\n"
         f"In-Reply-To: {message_id}\r\nReferences: {message_id}\r\n\r\nthanks\r\n").encode())
    dovecot.deliver(b"From: wang@customer.example.cn\r\nTo: sales@crossdock.example.cn\r\n"
                    b"Subject: Re: [#T-000009] printer\r\nMessage-ID: <tagged@customer>\r\n"
                    b"\r\nstill broken\r\n")

    _poll(app)
    jobs_run_out(app)

    assert sorted(got) == [("tickets", "Re: T-7", "tests.ticket", 7),
                           ("tickets", "Re: [#T-000009] printer", "tests.ticket", 9)]
    bounce, auto_reply, reply, tagged = _incoming(app)
    assert bounce[2:] == ("bounce", f"mail #{mail_id} failed: nobody@customer.example.cn: 5.1.1 "
                          "550 5.1.1 <nobody@customer.example.cn>: Recipient address "
                          "rejected: User unknown in virtual mailbox table", "tests.ticket", 7)
    assert auto_reply[2:] == ("auto", None, "tests.ticket", 7)
    assert reply[2:] == ("routed", "tickets took it", "tests.ticket", 7)
    assert tagged[2:] == ("routed", "tickets took it", "tests.ticket", 9)
    state, said, _, _, _ = _outgoing(app, mail_id)
    assert state == "bounced" and "User unknown in virtual mailbox table" in said


def test_a_mail_too_large_and_a_senders_flood_are_kept_but_not_routed(
        app, account, dovecot, routed, monkeypatch):
    from addons.mail_gateway.services import inbound, polling
    from addons.mail_gateway.settings import MailGatewaySettings

    small = MailGatewaySettings(mail_max_bytes=3000, mail_sender_per_hour=2)
    monkeypatch.setattr(polling, "configured", lambda: small)
    monkeypatch.setattr(inbound, "configured", lambda: small)
    route, got = routed
    route("support", alias="support@")
    dovecot.deliver(samples.plain_mail(1, size=5000))
    for n in (1, 2, 3):
        dovecot.deliver(f"From: loop@robot.example\r\nTo: support@crossdock.example.cn\r\n"
                        f"Subject: again {n}\r\nMessage-ID: <again-{n}@robot.example>\r\n\r\n"
                        f"again\r\n".encode())

    _poll(app)
    jobs_run_out(app)

    large, *flood = _incoming(app)
    assert large[2:4] == ("too_large", f"{len(samples.plain_mail(1, size=5000))} bytes, over 3000")
    assert sorted(state for _, _, state, _, _, _ in flood) == ["routed", "routed", "throttled"]
    assert len(got) == 2 and "question 1" not in {subject for _, subject, _, _ in got}
    with app.app_context():
        head = db.session.scalars(select(InboundEvent).order_by(InboundEvent.id)).first()
        assert head.json()["complete"] is False and "xxxx" not in head.payload  # header only
