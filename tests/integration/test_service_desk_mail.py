"""The service desk by mail, against real servers (Debian's dovecot for the
support mailbox, aiosmtpd for what we send), through the hub: a customer
mails support@ in GBK with attachments -> a ticket with the customer found
by address, acknowledged by an auto-submitted mail; the agent replies ->
the customer receives it under the ticket's tag, threaded under their mail;
the ticket is solved -> the rating link; the customer answers the reply ->
the same ticket reopens; an auto-reply and a bounce open nothing (and get
no acknowledgement: no loop); a vacation responder answering everything we
send (RFC 3834's Auto-Submitted, or only Precedence: bulk, or only
X-Autoreply) gets one acknowledgement over several poll rounds, and its
replies join no ticket; a ticket missing both SLA targets mails the
team's manager once per target, in their profile's language and time zone,
with a link to the ticket. With IMAP IDLE a mail is a ticket in seconds,
with no poll round, and still after the IMAP server restarts. SQLite only: the mail and the hub are the
point, the tickets' storage is tested on both databases by service_desk."""
from __future__ import annotations

import email
import json
import logging
import threading
import time
from email import policy

import pytest
from sqlalchemy import select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.invoicing_world import jobs_run_out
from tests.mail import samples
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytest_plugins = ["tests.mail.dovecot_server", "tests.mail.smtp_server"]
pytestmark = pytest.mark.addons("service_desk_mail")
DOMAIN = "crossdock.example.cn"


@pytest.fixture
def app(make_app):
    app = make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)
    yield app
    app.extensions["hub"].stop()


@pytest.fixture
def desk(app, dovecot, smtp_server, client_as):
    """The support mailbox as a `mail` account, a desk team with its agent."""
    agent = client_as("Support Agent", team="Support")
    with app.app_context(), acting_as(SYSTEM):
        from addons.contacts.models import Company, ContactEmail
        from addons.service_desk.models import DeskTeam
        from connectors.hub.models import Backend
        from core.security.teams import Team

        team = db.session.scalar(select(Team).where(Team.name == "Support"))
        db.session.add_all([
            DeskTeam(team_id=team.id),
            Company(name="华东机械有限公司", emails=[
                ContactEmail(kind="work", email="li.na@customer.example.cn")]),
            Backend(name="Support mailbox", kind="mail",
                    url=f"imap://{dovecot.host}:{dovecot.port}", username=dovecot.username,
                    secret=dovecot.password, options_json=json.dumps(
                        {"smtp": f"smtp://127.0.0.1:{smtp_server.port}", "smtp_login": False,
                         "domain": DOMAIN}))])
        db.session.commit()
    return app, agent


def _poll_and_process(app):
    from addons.mail_gateway.services.polling import poll_accounts

    with app.app_context():
        said = poll_accounts(db.session)
        db.session.remove()
    jobs_run_out(app)
    return said


def _tickets(app):
    from addons.service_desk.models import Ticket

    with app.app_context():
        rows = [(t.number, t.stage.kind, t.company.name if t.company else None,
                 [(m.direction, m.body.strip()) for m in sorted(t.messages,
                                                               key=lambda m: m.id)])
                for t in db.session.scalars(select(Ticket).order_by(Ticket.id))]
        db.session.remove()
        return rows


def _sent(smtp_server):
    return [email.message_from_bytes(r.data, policy=policy.default)
            for r in smtp_server.received]


def test_a_customer_mail_becomes_a_ticket_answered_by_mail_and_reopened(desk, dovecot,
                                                                         smtp_server):
    app, agent = desk
    dovecot.deliver(samples.gbk_customer_mail())
    assert "1 new" in _poll_and_process(app)

    [(number, stage, company, thread)] = _tickets(app)
    assert (number, stage, company) == ("T-000001", "new", "华东机械有限公司")  # by address
    [(direction, body)] = thread
    assert direction == "in" and "联系人：朱镕基" in body  # 镕 is GBK only: read as GB18030
    [ack] = _sent(smtp_server)
    assert ack["To"] == "Li.Na@Customer.example.cn".lower() or \
        ack["To"].lower() == "li.na@customer.example.cn"
    assert ack["Auto-Submitted"] == "auto-replied" and "[#T-000001]" in ack["Subject"]
    assert ack["In-Reply-To"] == "<gbk-1@customer.example.cn>"
    assert "工单号 T-000001" in ack.get_body(("plain",)).get_content()  # Chinese: she wrote so

    with app.app_context():
        from addons.service_desk.models import Ticket

        ticket_id = db.session.scalar(select(Ticket.id))
    answer = agent.post(f"/api/v1/ticket/{ticket_id}/messages", headers=agent.api_headers,
                        json={"body": "请重启打印机后再试。", "public": True})
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    jobs_run_out(app)
    reply = _sent(smtp_server)[-1]
    assert "[#T-000001]" in reply["Subject"] and reply["Auto-Submitted"] is None
    assert reply["In-Reply-To"] == "<gbk-1@customer.example.cn>"
    assert "<gbk-1@customer.example.cn>" in reply["References"]
    assert reply.get_body(("plain",)).get_content().strip() == "请重启打印机后再试。"

    with app.app_context():  # the agent solves it, over REST as the ticket page does
        from addons.service_desk.services.tickets import stages

        solved_stage = stages.stage_of_kind(db.session, None, "solved").id
    moved = agent.post(f"/api/v1/ticket/{ticket_id}/stage", headers=agent.api_headers,
                       json={"stage_id": solved_stage}, base_url="https://desk.example.cn")
    assert moved.status_code == 200, moved.get_data(as_text=True)
    jobs_run_out(app)
    solved = _sent(smtp_server)[-1]
    assert "https://desk.example.cn/rate/" in solved.get_body(("plain",)).get_content()

    # the customer answers our reply: the same ticket, back to work
    dovecot.deliver((
        "From: Li.Na@Customer.example.cn\r\nTo: support@crossdock.example.cn\r\n"
        f"Subject: Re: {reply['Subject']}\r\nMessage-ID: <gbk-2@customer.example.cn>\r\n"
        f"In-Reply-To: {reply['Message-ID']}\r\nReferences: {reply['References']} "
        f"{reply['Message-ID']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "还是不行。\r\n").encode("utf-8"))
    # ... and an auto-reply to our acknowledgement, a bounce of our reply: nothing opened
    dovecot.deliver(samples.auto_reply(ack["Message-ID"]))
    dovecot.deliver(samples.bounce_of(reply["Message-ID"], smtp_server.received[1].mail_from))
    mails_before = len(smtp_server.received)
    assert "3 new" in _poll_and_process(app)

    [(number, stage, _, thread)] = _tickets(app)
    assert (number, stage) == ("T-000001", "in_progress")
    assert [d for d, _ in thread] == ["in", "out", "in"] and thread[-1][1] == "还是不行。"
    assert len(smtp_server.received) == mails_before  # no acknowledgement of a robot's mail


VACATION_HEADERS = {  # what real auto-responders set, the honest one and the others
    "rfc3834": "Auto-Submitted: auto-replied\r\n",
    "precedence only": "Precedence: bulk\r\n",
    "x-autoreply only": "X-Autoreply: yes\r\n",
}


def _vacation_reply(ours, n: int, headers: str) -> bytes:
    """The customer's auto-responder answering one of our mails."""
    return (
        "From: li.na@customer.example.cn\r\nTo: support@crossdock.example.cn\r\n"
        f"Subject: Out of office: {ours['Subject']}\r\n"
        f"Message-ID: <vacation-{n}@customer.example.cn>\r\nIn-Reply-To: {ours['Message-ID']}\r\n"
        f"{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "I am away until Monday. / 我周一回来。\r\n").encode("utf-8")


@pytest.mark.parametrize("responder", VACATION_HEADERS)
def test_a_loop_between_our_acknowledgement_and_a_vacation_responder_is_broken(
        desk, dovecot, smtp_server, responder):
    app, _ = desk
    dovecot.deliver(samples.gbk_customer_mail())  # a person writes: one acknowledgement
    ours_per_round, answered = [], 0
    for _ in range(4):  # poll, process, send; the responder answers all it got
        _poll_and_process(app)
        sent = _sent(smtp_server)
        ours_per_round.append(len(sent))
        for ours in sent[answered:]:
            dovecot.deliver(_vacation_reply(ours, answered, VACATION_HEADERS[responder]))
            answered += 1

    assert ours_per_round == [1, 1, 1, 1]  # the acknowledgement, nothing after
    assert sent[0]["Auto-Submitted"] == "auto-replied"
    [(number, stage, _, thread)] = _tickets(app)  # the robot's mail opened nothing either
    assert (number, stage, [d for d, _ in thread]) == ("T-000001", "new", ["in"])
    with app.app_context():
        from addons.mail_gateway.models import IncomingMailRecord

        states = [r.state for r in db.session.scalars(
            select(IncomingMailRecord).order_by(IncomingMailRecord.id))]
    assert states == ["routed", "auto"]  # the vacation reply: recognised, kept, not answered


def test_a_missed_sla_target_mails_the_team_manager_once_in_their_language(desk, smtp_server,
                                                                          monkeypatch):
    from datetime import datetime

    from addons.service_desk.models import DeskTeam, Escalation
    from addons.service_desk.services.sla.breaches import flag_breaches
    from addons.service_desk.services.tickets import open_ticket
    from core.i18n import UserPreference
    from core.users import create_user

    app, _ = desk
    monkeypatch.setenv("CROSSDOCK_DESK_PUBLIC_URL", "https://desk.example.cn/crm")
    with app.app_context(), acting_as(SYSTEM):
        manager = create_user(app.appbuilder.sm, "wang.jl", "wang.jl@crossdock.example.cn",
                              "manager-pw-12345678", ["Support Agent"])
        db.session.add(UserPreference(user_id=manager.id, locale="zh", time_zone="Asia/Shanghai"))
        desk_team = db.session.scalar(select(DeskTeam))
        desk_team.manager_id = manager.id
        ticket = open_ticket(db.session, subject="Printer broken", description="It jams.",
                             channel="mail", contact_email="li.na@customer.example.cn",
                             team_id=desk_team.team_id, created_at=datetime(2026, 1, 5, 0, 0))
        ticket.first_response_due = datetime(2026, 1, 5, 1, 0)  # 09:00 in Shanghai
        ticket.resolution_due = datetime(2026, 1, 6, 1, 0)
        db.session.commit()
        ticket_id = ticket.id
        # the scheduler's breach check, then its next runs: both targets once
        said = [flag_breaches(db.session, now=datetime(2026, 1, 7, 0, 0)) for _ in range(3)]
        db.session.commit()
        escalations = db.session.scalars(select(Escalation.id).order_by(Escalation.id)).all()
        db.session.remove()
    assert said == ["2 SLA target(s) breached and escalated", None, None]
    jobs_run_out(app)

    # two jobs, in any order: the first-response mail first, then the resolution one
    mails = sorted(_sent(smtp_server), key=lambda m: "解决" in m["Subject"])
    assert [(m["To"], m["Subject"], m["Auto-Submitted"]) for m in mails] == [
        ("wang.jl@crossdock.example.cn", "SLA 超时：工单 T-000001 未达成首次响应目标",
         "auto-generated"),
        ("wang.jl@crossdock.example.cn", "SLA 超时：工单 T-000001 未达成解决目标",
         "auto-generated")]
    first, resolution = (m.get_body(("plain",)).get_content() for m in mails)
    link = f"https://desk.example.cn/crm/tickets/show/{ticket_id}"
    assert "工单 T-000001（Printer broken）未在期限内达成首次响应目标，" \
           "期限为 2026-01-05 09:00 Asia/Shanghai。" in first and link in first
    assert "期限为 2026-01-06 09:00 Asia/Shanghai。" in resolution and link in resolution
    with app.app_context():  # each mail is about its escalation, not the customer's thread
        from addons.mail_gateway.models import OutgoingMailRecord

        about = db.session.execute(select(OutgoingMailRecord.record_model,
                                          OutgoingMailRecord.record_id)).all()
    assert sorted(about) == [("service_desk.escalation", e) for e in escalations]


def _wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(0.1)


def _threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def test_with_idle_a_mail_is_a_ticket_without_a_poll_round_and_after_a_server_restart(
        desk, dovecot, smtp_server, caplog, monkeypatch):
    """The elected scheduler's one round polls the empty mailbox and starts
    the IDLE watch (addons/mail_gateway/services/idle_watch.py); no round
    follows, so the tickets can only come through IDLE. A disabled account
    is no longer watched; stopping the scheduler ends the watch."""
    from addons.mail_gateway.services import idle_watch
    from connectors.hub.models import Backend
    from connectors.hub.scheduler import Scheduler

    monkeypatch.setattr(idle_watch, "FOLLOW_SECONDS", 0.2)  # accounts read again (10 s)
    app, _ = desk
    runtime = app.extensions["hub"]
    runtime.start_worker(2)  # the inbound mails' jobs
    scheduler = Scheduler(runtime, "idle")
    try:
        assert scheduler.tick()["tasks"]["mail_gateway.poll"] == "Support mailbox/INBOX: 0 new"
        dovecot.deliver(samples.gbk_customer_mail())
        _wait_for(lambda: len(_tickets(app)) == 1, timeout=15)

        dovecot.stop()  # the IDLE connection drops; the watch connects again when it is back
        dovecot.start()
        dovecot.deliver(samples.plain_mail(2))
        _wait_for(lambda: len(_tickets(app)) == 2, timeout=30)

        with app.app_context():
            db.session.scalar(select(Backend)).active = False
            db.session.commit()
        _wait_for(lambda: not _threads("crossdock-mail-idle"), timeout=10)
        assert _threads("crossdock-watch-mail_gateway.idle")  # the watch goes on, idle
    finally:
        scheduler.stop()
    assert not _threads("crossdock-watch")
    assert [(company, thread[0][1]) for _, _, company, thread in _tickets(app)] == [
        ("华东机械有限公司", "您好，打印机坏了。联系人：朱镕基\n附件是报价单。"),
        (None, "question 2")]
    assert len(_sent(smtp_server)) >= 1  # acknowledged, as after a scheduled poll
    said = [r.getMessage() for r in caplog.records
            if r.name.endswith("idle_watch") and r.levelno >= logging.WARNING]
    assert 1 <= len(said) <= 5, said  # one line per failed attempt (after 1, 2, 4 s ...)
    assert all(line.startswith("mail: IDLE on Support mailbox/INBOX: ") for line in said), said
