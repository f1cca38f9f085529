"""A mail account as a hub backend (Integration > Backends), kind `mail`:
its IMAP mailbox and its SMTP server, one login, "test connection" trying
both.

- `url`: the IMAP server, `imaps://imap.example.com` (TLS, port 993) or
  `imap://host:143` (no TLS: a server on a trusted network);
- `username` / the secret: the login for both;
- options: `smtp` the SMTP server, `smtp+starttls://smtp.example.com`
  (port 587), `smtps://...` (465) or `smtp://...` (25, no TLS);
  `smtp_login` false for a relay that takes no AUTH; `domain` for our
  Message-IDs and bounce addresses (default: the login's domain).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .imap_mailbox import ImapMailbox
from .smtp_client import SmtpClient

KINDS = ("mail",)
_IMAP = {"imaps": (True, 993), "imap": (False, 143)}
_SMTP = {"smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465), "smtp": ("none", 25)}


@dataclass(frozen=True)
class MailAccount:
    imap_host: str
    imap_port: int
    imap_ssl: bool
    smtp: SmtpClient
    username: str
    password: str
    domain: str

    def mailbox(self) -> ImapMailbox:
        """A new connection's worth of mailbox; close it (or use `with`)."""
        return ImapMailbox(self.imap_host, self.imap_port, ssl=self.imap_ssl,
                           username=self.username, password=self.password)

    def test_connection(self) -> str:
        with self.mailbox() as mailbox:
            incoming = mailbox.test_connection()
        return f"{incoming}; {self.smtp.test_connection()}"


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict) -> MailAccount:
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r} (known: {', '.join(KINDS)})")
    imap_ssl, imap_port, imap_host = _server(url, _IMAP, "the IMAP server (url)")
    security, smtp_port, smtp_host = _server(options.get("smtp", ""), _SMTP,
                                             "the SMTP server (options.smtp)")
    login = options.get("smtp_login", True)
    smtp = SmtpClient(smtp_host, smtp_port, security=security,
                      username=username if login else "", password=secret if login else "")
    domain = options.get("domain") or username.rpartition("@")[2]
    if not domain:
        raise ValueError("a mail account needs options.domain when its login is no address")
    return MailAccount(imap_host, imap_port, imap_ssl, smtp, username, secret, domain.lower())


def _server(url: str, schemes: dict, what: str):
    parts = urlsplit(url or "")
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{what}: {url!r} is not one of "
                         f"{', '.join(s + '://host[:port]' for s in schemes)}")
    setting, default_port = schemes[parts.scheme]
    return setting, parts.port or default_port, parts.hostname
