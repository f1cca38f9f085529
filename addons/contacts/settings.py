"""The contacts addon's knobs (the README's configuration table)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContactsSettings:
    default_phone_region: str = "CN"  # phone numbers typed without +country code
    import_max_rows: int = 200_000  # contacts import: larger files are refused
    import_max_bytes: int = 64 * 1024 * 1024  # contacts import: upload size limit


def configured() -> ContactsSettings:
    """The running app's contacts settings; the defaults outside an app (scripts, unit tests)."""
    from flask import current_app, has_app_context

    if has_app_context() and "crossdock" in current_app.extensions:
        return current_app.extensions["crossdock"].settings.section(ContactsSettings)
    return ContactsSettings()
