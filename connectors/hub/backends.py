"""Backends: validating what an admin enters, and "test connection" in words."""
from __future__ import annotations

import json
from urllib.parse import urlparse

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.backend_kinds import IMAP_KINDS, KINDS
from connectors.errors import PermanentError, TransientError

from .clients import client_for
from .models import Backend


class BackendInputError(ValueError):
    pass


def check_options(options_json: str) -> str | None:
    if not options_json or not options_json.strip():
        return None
    try:
        value = json.loads(options_json)
    except ValueError as exc:
        raise BackendInputError(f"options: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise BackendInputError('options: expected a JSON object such as {"warehouse": "WH"}')
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def check_url(url: str, kind: str = "") -> str:
    """http(s) for every kind but an IMAP mail account, whose URL is its IMAP server."""
    parsed = urlparse((url or "").strip())
    schemes, form = (("imap", "imaps"), "imap(s)://host[:port]") if kind in IMAP_KINDS else (
        ("http", "https"), "http(s)://host[:port][/path]")
    if parsed.scheme not in schemes or not parsed.netloc:
        raise BackendInputError(f"URL {url!r}: expected {form}")
    return url.strip().rstrip("/")


def save_backend(session: Session, backend: Backend | None, *, name: str, kind: str, url: str,
                 database: str = "", username: str = "", secret: str | None = None,
                 options_json: str = "", active: bool = True) -> Backend:
    if kind not in KINDS:
        raise BackendInputError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    name = (name or "").strip()
    if not name:
        raise BackendInputError("name: required")
    clash = session.scalars(select(Backend).where(Backend.name == name)).first()
    if clash is not None and clash is not backend:
        raise BackendInputError(f"name: a backend named {name!r} exists")
    backend = backend or Backend()
    backend.name, backend.kind, backend.url = name, kind, check_url(url, kind)
    backend.database, backend.username = database.strip() or None, username.strip() or None
    backend.options_json = check_options(options_json)
    backend.active = active
    if secret:  # empty keeps the stored one (forms never show it back)
        backend.secret = secret
    session.add(backend)
    session.flush()
    return backend


def test_connection(config: dict) -> tuple[bool, str]:
    """(ok, message): the client's own description, or what is wrong in words.
    Takes `backend_config(backend)`: end the transaction before calling (on
    SQLite an open one holds the write lock for the whole remote call)."""
    try:
        client = client_for(config)
        return True, gettext("connected: %(remote)s", remote=client.test_connection())
    except TransientError as exc:
        return False, gettext("cannot reach it now: %(why)s", why=exc)
    except PermanentError as exc:
        return False, gettext("refused: %(why)s", why=exc)
    except ValueError as exc:  # unknown kind and the like
        return False, gettext("not usable: %(why)s", why=exc)
