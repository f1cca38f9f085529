"""A real SMTP server for tests: aiosmtpd on a free loopback port.

`smtp_server` (one per test) yields an `SmtpServer`: `port`, `received`
(each accepted mail: envelope sender, recipients, the DATA bytes as they
arrived), `attempts` (the Message-ID of every DATA it was offered, accepted
or not) and `answers`, replies to give to the next DATAs instead of
accepting ("451 4.3.0 Try again later"), one per DATA, in order.
`smtp_server_tls` is the same behind STARTTLS (a self-signed certificate,
`client_tls` the context that trusts it) and AUTH (`username` /
`password`), both required, as a submission port is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.mail.ports import free_port
from tests.mail.tls import self_signed



@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SmtpServer:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    client_tls: object = None
    username: str = "crossdock@example.cn"
    password: str = "crossdock-test-smtp"

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID:\s*(<[^>]+>)", envelope.content, re.M | re.I)
        self.attempts.append(found.group(1).decode() if found else "")
        if self.answers:
            return self.answers.pop(0)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 2.0.0 Ok: queued"


@pytest.fixture
def smtp_server():
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


def _authenticate(server, session, envelope, mechanism, auth_data):
    handler = server.event_handler
    return AuthResult(success=(auth_data.login, auth_data.password)
                      == (handler.username.encode(), handler.password.encode()),
                      handled=False)  # not answered yet: the server says 535


@pytest.fixture
def smtp_server_tls(tmp_path):
    server_tls, client_tls = self_signed(tmp_path)
    server = SmtpServer(port=free_port(), client_tls=client_tls)
    controller = Controller(server, hostname="127.0.0.1", port=server.port,
                            tls_context=server_tls, require_starttls=True,
                            authenticator=_authenticate, auth_require_tls=True)
    controller.start()
    yield server
    controller.stop()
