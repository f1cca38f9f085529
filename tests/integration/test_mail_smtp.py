"""Our mail as a real SMTP server (aiosmtpd) receives it: the bytes on the
wire decoded as a mail client would, and the server's refusals classified."""
from __future__ import annotations

import email
from email import policy

import pytest

from connectors.errors import PermanentError, TransientError
from connectors.mail.composing import compose, envelope_sender
from connectors.mail.outgoing import Attachment, OutgoingMail
from connectors.mail.smtp_client import SmtpClient

pytest_plugins = ["tests.mail.smtp_server"]  # smtp_server, smtp_server_tls

DOMAIN = "crossdock.example.cn"
INVOICE = OutgoingMail(
    reference="invoicing.invoice/42/mail/1",
    sender="客服中心 <support@crossdock.example.cn>",
    to=("张伟 <zhang.wei@customer.example.cn>",),
    cc=("finance@customer.example.cn",),
    subject="发票 INV/2026/0042 已开具",
    text="张先生，您好：\n附件是发票 INV/2026/0042，金额 ¥1,234.50。\n",
    html="<p>张先生，您好：</p>",
    attachments=(Attachment("发票 INV-2026-0042.pdf", b"%PDF-1.7 test"),),
    language="zh-CN",
    in_reply_to="<question-1@customer.example.cn>",
    references=("<thread-start@customer.example.cn>",),
)


def _client(server) -> SmtpClient:
    return SmtpClient("127.0.0.1", server.port, security="none")


def _send(server, mail=INVOICE):
    return _client(server).send(compose(mail, domain=DOMAIN),
                                envelope_from=envelope_sender(mail, DOMAIN))


def test_the_received_mail_reads_right_in_chinese_and_threads(smtp_server):
    sent = _send(smtp_server)

    [received] = smtp_server.received
    assert received.mail_from == envelope_sender(INVOICE, DOMAIN)
    assert received.mail_from.startswith("bounces+") and received.mail_from.endswith("@" + DOMAIN)
    assert sorted(received.rcpt_tos) == ["finance@customer.example.cn",
                                         "zhang.wei@customer.example.cn"]
    assert received.data.isascii()  # 7-bit clean: no relay needs 8BITMIME
    message = email.message_from_bytes(received.data, policy=policy.default)
    assert message["Subject"] == "发票 INV/2026/0042 已开具"
    assert message["From"].addresses[0].display_name == "客服中心"
    assert message["Message-ID"] == sent.message_id
    assert message["Message-ID"] == f"<{received.mail_from[len('bounces+'):].split('@')[0]}@{DOMAIN}>"
    assert message["In-Reply-To"] == "<question-1@customer.example.cn>"
    assert message["References"].split() == ["<thread-start@customer.example.cn>",
                                             "<question-1@customer.example.cn>"]
    assert message["Content-Language"] == "zh-CN"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == INVOICE.text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "发票 INV-2026-0042.pdf"
    assert b"filename*=utf-8''%E5%8F%91%E7%A5%A8%20INV-2026-0042.pdf" in received.data  # RFC 2231
    assert attachment.get_content() == b"%PDF-1.7 test"


def test_a_4xx_is_transient_and_the_retry_is_the_same_message_delivered_once(smtp_server):
    smtp_server.answers.append("451 4.3.0 Mail server temporarily rejected message")

    with pytest.raises(TransientError) as refused:
        _send(smtp_server)
    assert "451 4.3.0 Mail server temporarily rejected message" in str(refused.value)
    assert smtp_server.received == []

    _send(smtp_server)  # the hub's retry composes again from the same mail

    assert len(smtp_server.received) == 1
    first, second = smtp_server.attempts
    assert first == second  # the same Message-ID: the same message, not a second one


def test_a_5xx_is_permanent_with_the_servers_words(smtp_server):
    smtp_server.answers.append("550 5.7.1 Message rejected as spam by content filter")

    with pytest.raises(PermanentError) as refused:
        _send(smtp_server)

    assert "550 5.7.1 Message rejected as spam by content filter" in str(refused.value)
    assert smtp_server.received == []


def test_nothing_listening_is_transient_and_test_connection_names_the_server(smtp_server):
    assert f"127.0.0.1:{smtp_server.port}" in _client(smtp_server).test_connection()
    with pytest.raises(TransientError, match="cannot talk to it"):
        SmtpClient("127.0.0.1", 1, security="none", timeout=2).test_connection()


def test_starttls_and_login_as_a_submission_port_wants_them(smtp_server_tls):
    def client(**overrides):
        settings = dict(security="starttls", username=smtp_server_tls.username,
                        password=smtp_server_tls.password,
                        tls=smtp_server_tls.client_tls)
        return SmtpClient("127.0.0.1", smtp_server_tls.port, **{**settings, **overrides})

    client().send(compose(INVOICE, domain=DOMAIN), envelope_from=envelope_sender(INVOICE, DOMAIN))
    assert len(smtp_server_tls.received) == 1
    with pytest.raises(PermanentError, match=f"login refused for {smtp_server_tls.username}: 535 .*password"):
        client(password="wrong").test_connection()
    with pytest.raises(PermanentError, match="TLS certificate is not trusted"):
        client(tls=None).test_connection()  # the system's CAs do not know a self-signed one
