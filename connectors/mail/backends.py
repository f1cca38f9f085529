"""A mail account as a hub backend (Integration > Backends), one kind per
way of reaching it; `make_client` is the one place that picks the class.

Kind `mail`: an IMAP mailbox and an SMTP server, one login, "test
connection" trying both.
- `url`: the IMAP server, `imaps://imap.example.com` (TLS, port 993) or
  `imap://host:143` (no TLS: a server on a trusted network);
- `username` / the secret: the login for both;
- options: `smtp` the SMTP server, `smtp+starttls://smtp.example.com`
  (port 587), `smtps://...` (465) or `smtp://...` (25, no TLS);
  `smtp_login` false for a relay that takes no AUTH.

Kind `mail_m365`: a Microsoft 365 mailbox through Microsoft Graph
(graph_mailbox.py), an app registration with client credentials.
- `url`: `https://graph.microsoft.com/v1.0`; `username`: the mailbox
  (its address); `database`: the application (client) id; the secret: the
  client secret; options: `tenant` (the directory id or domain), or
  `token_url` instead.

Kind `mail_gmail`: a Gmail / Google Workspace mailbox through the Gmail API
(gmail_mailbox.py), an OAuth client and a refresh token.
- `url`: `https://gmail.googleapis.com`; `username`: the mailbox (its
  address); `database`: the OAuth client id; the secret: the client secret,
  a space, the refresh token; options: `token_url` (default Google's).

Every kind: options `domain` for our Message-IDs and bounce addresses
(default: the mailbox's domain), `folders` to poll (default ["INBOX"]).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from . import gmail_mailbox, graph_mailbox
from .imap_mailbox import ImapMailbox
from .smtp_client import SmtpClient

IMAP_KINDS = ("mail",)
KINDS = IMAP_KINDS + ("mail_m365", "mail_gmail")
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

    @property
    def sender(self) -> SmtpClient:
        return self.smtp

    def mailbox(self) -> ImapMailbox:
        """A new connection's worth of mailbox; close it (or use `with`)."""
        return ImapMailbox(self.imap_host, self.imap_port, ssl=self.imap_ssl,
                           username=self.username, password=self.password)

    def test_connection(self) -> str:
        with self.mailbox() as mailbox:
            incoming = mailbox.test_connection()
        return f"{incoming}; {self.smtp.test_connection()}"


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict):
    """The account a backend row describes: a `MailAccount` (IMAP + SMTP), a
    `GraphMailbox` or a `GmailMailbox`, each with `mailbox()`, `sender`,
    `domain` and `test_connection()`."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r} (known: {', '.join(KINDS)})")
    domain = (options.get("domain") or username.rpartition("@")[2]).lower()
    if not domain:
        raise ValueError("a mail account needs options.domain when its login is no address")
    build = {"mail": _imap_account, "mail_m365": _graph_account, "mail_gmail": _gmail_account}
    return build[kind](url, database, username, secret, options, domain)


def _imap_account(url, database, username, secret, options, domain) -> MailAccount:
    imap_ssl, imap_port, imap_host = _server(url, _IMAP, "the IMAP server (url)")
    security, smtp_port, smtp_host = _server(options.get("smtp", ""), _SMTP,
                                             "the SMTP server (options.smtp)")
    login = options.get("smtp_login", True)
    smtp = SmtpClient(smtp_host, smtp_port, security=security,
                      username=username if login else "", password=secret if login else "")
    return MailAccount(imap_host, imap_port, imap_ssl, smtp, username, secret, domain)


def _graph_account(url, database, username, secret, options,
                   domain) -> graph_mailbox.GraphMailbox:
    token_url = options.get("token_url") or graph_mailbox.TOKEN_URL.format(
        tenant=_required(options.get("tenant", ""), "the tenant (options.tenant)"))
    return graph_mailbox.GraphMailbox(
        _https(url), _required(username, "the mailbox (username)"),
        client_id=_required(database, "the application (client) id (database)"),
        client_secret=_required(secret, "the client secret (secret)"),
        token_url=token_url, domain=domain)


def _gmail_account(url, database, username, secret, options,
                   domain) -> gmail_mailbox.GmailMailbox:
    client_secret, _, refresh_token = (secret or "").strip().partition(" ")
    return gmail_mailbox.GmailMailbox(
        _https(url), _required(username, "the mailbox (username)"),
        client_id=_required(database, "the OAuth client id (database)"),
        client_secret=_required(client_secret, "the client secret (secret)"),
        refresh_token=_required(refresh_token, "the refresh token (secret, after the client "
                                               "secret and a space)"),
        token_url=options.get("token_url") or gmail_mailbox.TOKEN_URL, domain=domain)


def _required(value: str, what: str) -> str:
    if not (value or "").strip():
        raise ValueError(f"{what}: required for this kind of mail account")
    return value.strip()


def _https(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"the API (url): {url!r} is not https://host[/path]")
    return url


def _server(url: str, schemes: dict, what: str):
    parts = urlsplit(url or "")
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{what}: {url!r} is not one of "
                         f"{', '.join(s + '://host[:port]' for s in schemes)}")
    setting, default_port = schemes[parts.scheme]
    return setting, parts.port or default_port, parts.hostname
