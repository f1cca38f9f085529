"""SMTP submission: one connection per send, errors classified once here.

4xx replies, refused or dropped connections and timeouts are transient
(the hub retries with backoff); 5xx replies are permanent, with the server's
own reply in the message ("550 5.1.1 <x@example.com>: user unknown"). A
recipient refused while others were accepted does not fail the send: it is
returned in `Sent.refused` for the caller to say.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from ..errors import PermanentError, TransientError

SECURITIES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Sent:
    message_id: str
    refused: dict[str, str] = field(default_factory=dict)  # address -> server's reply


class SmtpClient:
    """`security`: "starttls" (port 587), "ssl" (implicit TLS, port 465) or
    "none" (a relay on a trusted network). `username` empty: no AUTH.
    `tls`: a context trusting a private CA (default: the system's CAs)."""

    def __init__(self, host: str, port: int, *, security: str = "starttls",
                 username: str = "", password: str = "", timeout: float = 30.0,
                 tls: ssl.SSLContext | None = None):
        if security not in SECURITIES:
            raise ValueError(f"unknown SMTP security {security!r} (known: {', '.join(SECURITIES)})")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.tls = tls

    @property
    def what(self) -> str:
        return f"SMTP server {self.host}:{self.port}"

    def send(self, message: EmailMessage, *, envelope_from: str) -> Sent:
        """Deliver `message` to its To/Cc recipients with `envelope_from` as
        MAIL FROM (the bounce address, `composing.envelope_sender`)."""
        with self._session() as smtp:
            try:
                refused = smtp.send_message(message, from_addr=envelope_from)
            except smtplib.SMTPRecipientsRefused as exc:
                raise _all_refused(self.what, exc.recipients) from exc
            except smtplib.SMTPResponseException as exc:
                raise _reply_error(self.what, exc.smtp_code, exc.smtp_error) from exc
        return Sent(message["Message-ID"],
                    {address: _reply(code, text) for address, (code, text) in refused.items()})

    def test_connection(self) -> str:
        """Connect, secure, log in and say NOOP; one line saying what answered."""
        with self._session() as smtp:
            smtp.noop()
            banner = (smtp.ehlo_resp or b"").decode("utf-8", "replace").splitlines()[0:1]
        security = {"starttls": "STARTTLS", "ssl": "SSL", "none": "no TLS"}[self.security]
        login = f" as {self.username}" if self.username else ", no login"
        return f"{self.what} ({security}){login}: {banner[0] if banner else 'answered'}"

    def _session(self):
        return _Session(self)


class _Session:
    """The connected, secured and logged-in SMTP object, closed on exit; the
    transport's exceptions turned into ours."""

    def __init__(self, client: SmtpClient):
        self.client = client
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        c = self.client
        try:
            if c.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout,
                                             context=c.tls or ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            self.smtp.ehlo()
            if c.security == "starttls":
                self.smtp.starttls(context=c.tls or ssl.create_default_context())
                self.smtp.ehlo()
            if c.username:
                self.smtp.login(c.username, c.password)
            return self.smtp
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise _transport_error(c, exc) from exc

    def __exit__(self, kind, exc, tb):
        self._close()
        if isinstance(exc, (smtplib.SMTPException, OSError)):
            raise _transport_error(self.client, exc) from exc
        return False

    def _close(self):
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


def _transport_error(client: SmtpClient, exc: smtplib.SMTPException | OSError) -> Exception:
    what = client.what
    if isinstance(exc, smtplib.SMTPAuthenticationError) and exc.smtp_code >= 500:
        return PermanentError(f"{what}: login refused for {client.username}: "
                              f"{_reply(exc.smtp_code, exc.smtp_error)}; check the account's "
                              f"user name and password")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentError(f"{what}: {exc}; choose another security for the account")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_error(what, exc.smtp_code, exc.smtp_error)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentError(f"{what}: its TLS certificate is not trusted ({exc.verify_message})")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TransientError(f"{what}: no answer in time")
    return TransientError(f"{what}: cannot talk to it ({exc or type(exc).__name__})")


def _reply_error(what: str, code: int, text: bytes | str) -> Exception:
    reply = _reply(code, text)
    if 400 <= code < 500:
        return TransientError(f"{what} answered {reply}")
    return PermanentError(f"{what} refused the mail: {reply}")


def _all_refused(what: str, recipients: dict) -> Exception:
    replies = "; ".join(f"{address}: {_reply(code, text)}"
                        for address, (code, text) in recipients.items())
    if any(400 <= code < 500 for code, _ in recipients.values()):
        return TransientError(f"{what} refused every recipient for now: {replies}")
    return PermanentError(f"{what} refused every recipient: {replies}")


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"
