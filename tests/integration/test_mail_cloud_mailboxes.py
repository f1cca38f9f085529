"""Microsoft 365 (Graph) and Gmail API mailboxes as mail accounts of the
gateway (kinds `mail_m365`, `mail_gmail`), against doubles of both APIs
over real HTTP: mail polled into the gateway once across pages, a 429 and a
token expiring mid-run, a restart from the stored cursor, a cursor the
platform forgot (Gmail's stale history id, Graph's unknown delta link) read
again without duplicates; our MIME sent with our
Message-ID; "test connection" naming the mailbox. SQLite only: the
protocols and the gateway, not the storage."""
from __future__ import annotations

import email
import json
from collections import Counter
from email import policy

import pytest
from sqlalchemy import select

from connectors.hub.models import Backend, InboundEvent
from connectors.mail import oauth_api
from connectors.mail.outgoing import OutgoingMail
from core.db import db
from tests.doubles.gmail_double import GmailDouble
from tests.doubles.graph_mail_double import GraphMailDouble
from tests.doubles.json_http import JsonHttpServer
from tests.invoicing_world import jobs_run_out
from tests.mail import samples
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytestmark = pytest.mark.addons("mail_gateway")
MAILBOX = "support@crossdock.example.cn"


@pytest.fixture
def app(make_app):
    return make_app(mail_poll_batch=2, hub_backoff_base_seconds=0.2,
                    hub_backoff_ceiling_seconds=0.5)


@pytest.fixture(params=["mail_m365", "mail_gmail"])
def cloud(request, app):
    """(kind, the double, the backend's id): the account as an admin enters it."""
    kind = request.param
    double = GraphMailDouble(mailbox=MAILBOX) if kind == "mail_m365" else GmailDouble(mailbox=MAILBOX)
    server = JsonHttpServer(double).start()
    oauth_api._tokens.clear()  # a new process: no token yet
    if kind == "mail_m365":
        double.base_url = server.url
        fields = dict(url=f"{server.url}/v1.0", database=double.client_id,
                      secret=double.client_secret,
                      options={"token_url": f"{server.url}/{double.tenant}/oauth2/v2.0/token"})
    else:
        fields = dict(url=server.url, database=double.client_id,
                      secret=f"{double.client_secret} {double.refresh_token}",
                      options={"token_url": f"{server.url}/token"})
    with app.app_context():
        backend = Backend(name="Support mailbox", kind=kind, url=fields["url"], username=MAILBOX,
                          database=fields["database"], secret=fields["secret"],
                          options_json=json.dumps(fields["options"]))
        db.session.add(backend)
        db.session.commit()
        backend_id = backend.id
    yield kind, double, backend_id
    server.stop()


def _poll(app) -> str:
    from addons.mail_gateway.services.polling import poll_accounts

    with app.app_context():
        try:
            return poll_accounts(db.session)
        finally:
            db.session.remove()


def _restart() -> None:
    """As a new worker process: no client, no token; only what is stored."""
    from connectors.hub import clients

    clients._local.clients = {}
    oauth_api._tokens.clear()


def _stored(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(InboundEvent.external_id).order_by(InboundEvent.id)))
        db.session.remove()
        return found


def _folder(app):
    from addons.mail_gateway.models import MailFolder

    with app.app_context():
        row = db.session.scalars(select(MailFolder)).one()
        found = (row.last_error, row.notice, row.cursor)
        db.session.remove()
        return found


def _reads(double) -> Counter:
    """How often each message's content was downloaded."""
    return Counter(call.split("/")[-2] if call.endswith("/$value") else call.split("/")[-1]
                   for call in double.calls
                   if call.endswith("/$value") or "/messages/18c" in call)


def test_mail_is_polled_once_over_pages_a_429_a_token_expiry_and_a_restart(app, cloud):
    kind, double, account = cloud
    gbk = samples.gbk_customer_mail()
    ids = [double.deliver(raw) for raw in (gbk, *(samples.plain_mail(n) for n in (1, 2, 3, 4)))]
    double.throttle_once()

    throttled = _poll(app)

    assert "HTTP 429" in throttled and _stored(app) == []
    error, _, cursor = _folder(app)
    assert "HTTP 429" in error and cursor is None  # transient: nothing moved, polled again

    said = _poll(app)

    assert "Support mailbox/INBOX: 5 new" in said
    expected = [f"{account}:<gbk-1@customer.example.cn>"] + [
        f"{account}:<q{n}@example.com>" for n in (1, 2, 3, 4)]
    assert sorted(_stored(app)) == sorted(expected)
    pages = [c for c in double.calls if c.endswith(("/messages/delta", "/messages", "/history"))]
    assert len(pages) >= 3  # 5 messages, 2 a page
    with app.app_context():
        from addons.mail_gateway.services.stored_mail import raw_of
        event = db.session.scalars(select(InboundEvent).where(
            InboundEvent.external_id == expected[0])).one()
        assert raw_of(event.json()) == gbk  # 8-bit GBK kept byte for byte
        db.session.remove()
    assert _folder(app)[0] is None

    double.tokens.expire_all()  # the cached token runs out mid-run
    ids.append(double.deliver(samples.plain_mail(5)))
    assert "Support mailbox/INBOX: 1 new" in _poll(app)
    assert double.tokens.granted == 2
    _restart()
    ids.append(double.deliver(samples.plain_mail(6)))
    assert "Support mailbox/INBOX: 1 new" in _poll(app)
    assert "Support mailbox/INBOX: 0 new" in _poll(app)

    assert sorted(_stored(app)) == sorted(expected + [f"{account}:<q5@example.com>",
                                                      f"{account}:<q6@example.com>"])
    assert _reads(double) == {i: 1 for i in ids}  # nothing read twice, nothing skipped
    jobs_run_out(app)
    from addons.mail_gateway.models import IncomingMailRecord
    with app.app_context():
        subjects = set(db.session.scalars(select(IncomingMailRecord.subject)))
        assert "打印机故障 朱镕基" in subjects and len(subjects) == 7


def test_our_mime_is_sent_and_test_connection_names_the_mailbox(app, cloud):
    from addons.mail_gateway.services import send_mail
    from connectors.hub.backends import test_connection
    from connectors.hub.clients import backend_config

    kind, double, account = cloud
    with app.app_context():
        row = send_mail(db.session, OutgoingMail(
            reference="", sender=f"客服 <{MAILBOX}>", to=("li.na@customer.example.cn",),
            subject="工单 T-7 已回复", text="您好", references=("<q1@example.com>",)),
            record=("tests.ticket", 7))
        db.session.commit()
        mail_id, message_id = row.id, row.message_id
        config = backend_config(db.session.get(Backend, account))
        db.session.remove()

    [(job, state, _)] = jobs_run_out(app)

    assert (job, state) == ("mail_gateway.send", "done")
    [raw] = double.sent
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")  # 7-bit: the subject RFC 2047-encoded
    assert "工单" not in head and "=?utf-8?" in head
    sent = email.message_from_bytes(raw, policy=policy.default)
    assert (sent["Message-ID"], sent["Subject"], sent["References"], sent["To"]) == (
        message_id, "工单 T-7 已回复", "<q1@example.com>", "li.na@customer.example.cn")
    from addons.mail_gateway.models import OutgoingMailRecord
    with app.app_context():
        row = db.session.get(OutgoingMailRecord, mail_id)
        assert row.state == "sent" and f"mailbox {MAILBOX} took {message_id}" in row.state_text
        db.session.remove()

    ok, said = test_connection(config)
    assert ok and said.startswith(("connected: Microsoft Graph mailbox " + MAILBOX,
                                   "connected: Gmail mailbox " + MAILBOX)), said
    assert ("Inbox holds 0 messages" if kind == "mail_m365" else "1 messages in all") in said
    oauth_api._tokens.clear()
    ok, said = test_connection({**config, "secret": "wrong " + config["secret"].split()[-1]
                                if kind == "mail_gmail" else "wrong"})
    assert not ok and "refused" in said and "invalid_client" in said, said


def test_a_cursor_the_platform_forgot_reads_the_folder_again_without_duplicates(app, cloud):
    """Gmail's history id too old (404), Graph's delta link unknown (410)."""
    kind, double, account = cloud
    double.deliver(samples.plain_mail(1))
    double.deliver(samples.plain_mail(2))
    assert "Support mailbox/INBOX: 2 new" in _poll(app)
    double.deliver(samples.plain_mail(3))
    (double.forget_history if kind == "mail_gmail" else double.forget_delta_tokens)()

    said = _poll(app)

    assert "Support mailbox/INBOX: 3 new" in said  # read again: two refused as already stored
    _, notice, cursor = _folder(app)
    assert ("Google no longer keeps history" if kind == "mail_gmail"
            else "Graph no longer knows where INBOX was read to (HTTP 410)") in notice
    assert cursor.endswith(f"history {double.history_id}" if kind == "mail_gmail"
                           else "$deltatoken=3")
    assert sorted(_stored(app)) == [f"{account}:<q{n}@example.com>" for n in (1, 2, 3)]
    assert "Support mailbox/INBOX: 0 new" in _poll(app)
