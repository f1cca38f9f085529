"""Reading a real IMAP server (Debian's dovecot, started per test): each
message once across polls and restarts, Chinese mail parsed right, bounces
and auto-replies recognised, IDLE."""
from __future__ import annotations

import threading
import time

import pytest

from connectors.backend_kinds import make_client
from connectors.errors import PermanentError
from connectors.mail.composing import compose, envelope_sender
from connectors.mail.imap_mailbox import ImapMailbox
from connectors.mail.outgoing import OutgoingMail
from connectors.mail.parsing import parse
from tests.mail import samples

pytest_plugins = ["tests.mail.dovecot_server", "tests.mail.smtp_server"]  # dovecot, smtp_server

DOMAIN = "crossdock.example.cn"


def _mailbox(server, **overrides) -> ImapMailbox:
    settings = dict(ssl=False, username=server.username, password=server.password, timeout=10)
    return ImapMailbox(server.host, server.port, **{**settings, **overrides})


def _subjects(polled) -> list[str]:
    return [parse(m.raw).subject for m in polled.messages]


def test_a_gbk_mail_with_attachments_reads_right(dovecot):
    dovecot.deliver(samples.gbk_customer_mail(message_id=None))

    with _mailbox(dovecot) as mailbox:
        [fetched] = mailbox.poll("INBOX").messages
    mail = parse(fetched.raw)

    assert fetched.complete and mail.raw == fetched.raw
    assert mail.sender == "li.na@customer.example.cn" and mail.sender_name == "李娜"
    assert mail.subject == "打印机故障 朱镕基"  # 镕 is GBK only: read as gb18030, not lost
    assert mail.text == "您好，打印机坏了。联系人：朱镕基\n附件是报价单。\n"
    assert [(a.filename, a.content_type, a.content) for a in mail.attachments] == [
        ("报价单.xls", "application/vnd.ms-excel", b"XLS bytes"),
        ("故障照片.png", "image/png", b"\x89PNG bytes")]
    assert mail.message_id.startswith("sha256:") and len(mail.message_id) == 7 + 64
    assert mail.message_id == parse(samples.gbk_customer_mail(message_id=None)).message_id
    assert not mail.auto_submitted and mail.bounce is None


def test_each_message_is_read_once_across_polls_restarts_and_batches(dovecot):
    for n in (1, 2, 3):
        dovecot.deliver(samples.plain_mail(n))

    with _mailbox(dovecot) as mailbox:
        first = mailbox.poll("INBOX", batch=2)
        second = mailbox.poll("INBOX", first.state, batch=2)
        third = mailbox.poll("INBOX", second.state)
    assert _subjects(first) == ["question 1", "question 2"]
    assert _subjects(second) == ["question 3"]
    assert third.messages == [] and third.state == second.state

    dovecot.deliver(samples.plain_mail(4))
    dovecot.deliver(samples.plain_mail(5, size=5000))
    dovecot.stop()
    dovecot.start()  # the server restarted, and a new worker with the kept state
    with _mailbox(dovecot) as mailbox:
        after_restart = mailbox.poll("INBOX", second.state, max_bytes=2000)
        again = mailbox.poll("INBOX", after_restart.state)

    assert _subjects(after_restart) == ["question 4", "question 5"]
    small, large = after_restart.messages
    assert small.complete and b"question 4\r\n" in small.raw
    assert not large.complete and large.size > 5000  # too large: its header only, not downloaded
    assert b"Subject: question 5" in large.raw and b"xxxx" not in large.raw
    assert again.messages == [] and after_restart.notice is None


def test_a_rebuilt_folder_is_read_again_and_said(dovecot):
    admin = dovecot.imap()
    admin.create("Sales")
    admin.logout()
    dovecot.deliver(samples.plain_mail(1), "Sales")
    with _mailbox(dovecot) as mailbox:
        before = mailbox.poll("Sales")
        admin = dovecot.imap()  # someone deletes and restores the folder
        admin.delete("Sales")
        admin.create("Sales")
        admin.logout()
        dovecot.deliver(samples.plain_mail(1), "Sales")
        dovecot.deliver(samples.plain_mail(2), "Sales")
        after = mailbox.poll("Sales", before.state)

    assert after.state.uidvalidity != before.state.uidvalidity
    assert _subjects(after) == ["question 1", "question 2"]  # from the start again
    assert "Sales was rebuilt on the server (UIDVALIDITY" in after.notice
    assert parse(after.messages[0].raw).message_id == parse(before.messages[0].raw).message_id


def test_a_bounce_and_an_auto_reply_are_recognised(dovecot):
    ours = OutgoingMail(reference="service_desk.ticket/7/reply/1",
                        sender="support@crossdock.example.cn",
                        to=("nobody@customer.example.cn",), subject="回复", text="您好")
    sent_id = compose(ours, domain=DOMAIN)["Message-ID"]
    dovecot.deliver(samples.bounce_of(sent_id, envelope_sender(ours, DOMAIN)))
    dovecot.deliver(samples.auto_reply(sent_id))
    dovecot.deliver(samples.plain_mail(1))

    with _mailbox(dovecot) as mailbox:
        bounce, auto_reply, person = (parse(m.raw) for m in mailbox.poll("INBOX").messages)

    assert bounce.is_bounce and bounce.auto_submitted
    assert bounce.bounce.message_id == sent_id  # the VERP address names our message
    assert bounce.bounce.failed and bounce.bounce.status == "5.1.1"
    assert bounce.bounce.recipient == "nobody@customer.example.cn"
    assert "User unknown in virtual mailbox table" in bounce.bounce.diagnostic
    assert auto_reply.auto_submitted and not auto_reply.is_bounce
    assert auto_reply.in_reply_to == sent_id and auto_reply.subject == "自动回复：我正在休假"
    assert not person.auto_submitted and not person.is_bounce


def test_idle_wakes_on_new_mail_and_times_out_without(dovecot):
    with _mailbox(dovecot) as mailbox:
        assert "IDLE offered" in mailbox.test_connection()
        state = mailbox.poll("INBOX").state
        started = time.monotonic()
        assert mailbox.wait_for_new("INBOX", state, timeout=0.5) is False
        assert time.monotonic() - started >= 0.5

        threading.Timer(0.3, dovecot.deliver, (samples.plain_mail(1),)).start()
        started = time.monotonic()
        assert mailbox.wait_for_new("INBOX", state, timeout=20) is True
        assert time.monotonic() - started < 10
        read = mailbox.poll("INBOX", state)
        assert _subjects(read) == ["question 1"]

        dovecot.deliver(samples.plain_mail(2))  # and someone deletes it before we read it
        admin = dovecot.imap()
        admin.select("INBOX")
        admin.store("2", "+FLAGS", "\\Deleted")
        admin.expunge()
        admin.logout()
        gone = mailbox.poll("INBOX", read.state)
        assert gone.messages == [] and gone.state.last_uid > read.state.last_uid
        stop = threading.Event()
        stop.set()  # nothing is new, so it waits: here, stopped before it began
        assert mailbox.wait_for_new("INBOX", gone.state, timeout=20, stop=stop) is False


def test_a_mail_account_backend_tests_both_servers(dovecot, smtp_server):
    account = make_client("mail", f"imap://{dovecot.host}:{dovecot.port}", "", dovecot.username,
                          dovecot.password, {"smtp": f"smtp://127.0.0.1:{smtp_server.port}",
                                             "smtp_login": False, "domain": DOMAIN})

    said = account.test_connection()

    assert f"IMAP server {dovecot.host}:{dovecot.port} (no TLS) as {dovecot.username}" in said
    assert "INBOX holds 0 messages, IDLE offered" in said
    assert f"SMTP server 127.0.0.1:{smtp_server.port} (no TLS), no login" in said


def test_refusals_are_permanent_with_the_servers_words(dovecot):
    with _mailbox(dovecot) as mailbox:
        with pytest.raises(PermanentError, match="reading Archive 2019: .*doesn't exist"):
            mailbox.poll("Archive 2019")
    # last: dovecot delays the next logins from an address after a failed one
    with pytest.raises(PermanentError, match=r"login refused for support\d+: .*check the account"):
        _mailbox(dovecot, password="wrong").poll("INBOX")
