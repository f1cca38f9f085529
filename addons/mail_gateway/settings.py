"""The mail gateway's knobs (the README's configuration table)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailGatewaySettings:
    mail_max_bytes: int = 25 * 1024 * 1024  # a larger received mail: its header only, not routed
    mail_sender_per_hour: int = 60  # more received mails from one sender in an hour: not routed
    mail_poll_batch: int = 100  # messages per IMAP fetch; a poll fetches until none are left
    mail_poll_lease_seconds: int = 300  # a worker killed mid-poll holds a folder this long
    mail_idle: bool = True  # IMAP IDLE: new mail polled at once where the server offers it


def configured() -> MailGatewaySettings:
    """The running app's mail settings; the defaults outside an app."""
    from flask import current_app, has_app_context

    if has_app_context() and "crossdock" in current_app.extensions:
        return current_app.extensions["crossdock"].settings.section(MailGatewaySettings)
    return MailGatewaySettings()
