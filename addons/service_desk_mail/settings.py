"""The service desk mail's knobs (the README's configuration table)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeskMailSettings:
    # where people reach Crossdock ("https://crm.example.cn"): the links in
    # mails sent outside a request (the breach check's escalations)
    desk_public_url: str = ""
    # the address that opens tickets: a local part ("support@", any domain of
    # the mailbox) or a whole address ("help@example.cn")
    support_alias: str = "support@"


def configured() -> DeskMailSettings:
    """The running app's settings; the defaults outside an app."""
    from flask import current_app, has_app_context

    if has_app_context() and "crossdock" in current_app.extensions:
        return current_app.extensions["crossdock"].settings.section(DeskMailSettings)
    return DeskMailSettings()
