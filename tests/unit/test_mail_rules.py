"""The mail connector's rules that need no server: subject tags, the loop
guards' headers, raw 8-bit Chinese headers."""
from __future__ import annotations

import pytest

from connectors.mail.backends import make_client
from connectors.mail.parsing import parse
from connectors.mail.subject_tags import tag_in, tagged


def test_a_subject_tag_is_put_once_and_found_behind_reply_prefixes():
    subject = tagged("打印机故障", "T-000123")
    assert subject == "[#T-000123] 打印机故障"
    assert tagged(subject, "T-000123") == subject
    assert tag_in(f"回复: RE: {subject}") == "T-000123"
    assert tag_in("打印机故障 [#t-123]") is None and tag_in("") is None
    with pytest.raises(ValueError):
        tagged("x", "T 1")


def _mail(headers: str, sender: str = "li.na@customer.example.cn") -> bytes:
    return (f"From: {sender}\r\nTo: support@crossdock.example.cn\r\nSubject: hi\r\n"
            f"{headers}\r\nbody\r\n").encode("ascii")


@pytest.mark.parametrize("headers, sender, robot", [
    ("", "li.na@customer.example.cn", False),
    ("Auto-Submitted: no\r\n", "li.na@customer.example.cn", False),
    ("Auto-Submitted: auto-generated\r\n", "li.na@customer.example.cn", True),
    ("Precedence: bulk\r\n", "li.na@customer.example.cn", True),
    ("Precedence: list\r\n", "li.na@customer.example.cn", True),
    ("X-Autoreply: yes\r\n", "li.na@customer.example.cn", True),
    ("X-Autorespond: Out of office\r\n", "li.na@customer.example.cn", True),
    ("Return-Path: <>\r\n", "li.na@customer.example.cn", True),
    ("", "MAILER-DAEMON@mx.example.cn", True),
    ("", "postmaster@mx.example.cn", True),
])
def test_mail_a_robot_sent_is_never_to_be_answered(headers, sender, robot):
    assert parse(_mail(headers, sender)).auto_submitted is robot


def test_raw_gbk_bytes_in_headers_and_a_missing_charset_still_read():
    raw = ("From: 李娜 <li.na@customer.example.cn>\r\nSubject: 报价 镕\r\n"
           "Content-Type: text/plain; charset=x-unknown\r\n\r\n").encode("gbk") + "正文".encode()
    mail = parse(raw)
    assert (mail.sender_name, mail.subject, mail.text) == ("李娜", "报价 镕", "正文")
    assert mail.message_id.startswith("sha256:")
    assert parse(b"Message-ID: abc.1@mx.example.cn\r\n\r\n").message_id == "<abc.1@mx.example.cn>"


def test_a_mail_account_is_read_from_its_backend_row():
    account = make_client("mail", "imaps://imap.example.cn", "", "support@Example.cn", "pw",
                          {"smtp": "smtp+starttls://smtp.example.cn"})
    assert (account.imap_host, account.imap_port, account.imap_ssl) == ("imap.example.cn", 993, True)
    assert (account.smtp.host, account.smtp.port, account.smtp.security) == (
        "smtp.example.cn", 587, "starttls")
    assert (account.smtp.username, account.domain) == ("support@Example.cn", "example.cn")
    with pytest.raises(ValueError, match="the SMTP server .options.smtp.: 'smtp.example.cn' is not"):
        make_client("mail", "imaps://imap.example.cn", "", "support@example.cn", "pw",
                    {"smtp": "smtp.example.cn"})


def test_an_api_mail_account_is_read_from_its_backend_row_or_says_what_is_missing():
    graph = make_client("mail_m365", "https://graph.microsoft.com/v1.0", "app-id",
                        "support@Example.cn", "app-secret", {"tenant": "contoso.onmicrosoft.com"})
    assert (graph.api.token_url, graph.api.grant["client_id"], graph.domain) == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "app-id", "example.cn")
    gmail = make_client("mail_gmail", "https://gmail.googleapis.com", "client.apps",
                        "support@example.cn", "GOCSPX-s 1//refresh", {})
    assert (gmail.api.token_url, gmail.api.grant["client_secret"],
            gmail.api.grant["refresh_token"]) == ("https://oauth2.googleapis.com/token",
                                                   "GOCSPX-s", "1//refresh")
    with pytest.raises(ValueError, match=r"the tenant \(options.tenant\): required"):
        make_client("mail_m365", "https://graph.microsoft.com/v1.0", "app-id",
                    "support@example.cn", "app-secret", {})
    with pytest.raises(ValueError, match=r"the refresh token \(secret, after the client secret"):
        make_client("mail_gmail", "https://gmail.googleapis.com", "client.apps",
                    "support@example.cn", "GOCSPX-s", {})
    with pytest.raises(ValueError, match=r"the API \(url\): 'imaps://x' is not https"):
        make_client("mail_gmail", "imaps://x", "client.apps", "support@example.cn", "a b", {})
