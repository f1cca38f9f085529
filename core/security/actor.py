"""Who is acting: the logged-in user in a request, or a named job or the system.

Record rules and the audit log both ask `current_actor()`. Outside a request
(CLI, workers) the actor is the system unless code runs inside `acting_as`.
"""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_request_context, request


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    roles: frozenset[str] = frozenset()
    is_system: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.is_system


SYSTEM = Actor(None, "system", is_system=True)
ANONYMOUS = Actor(None, "anonymous")

_background_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "crossdock_actor", default=SYSTEM
)
_background_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "crossdock_request_id", default=None
)


@contextmanager
def acting_as(actor: Actor, request_id: str | None = None):
    """Run background code as `actor` (a job acting for a user, say)."""
    tok = _background_actor.set(actor)
    rtok = _background_request_id.set(request_id or uuid.uuid4().hex)
    try:
        yield actor
    finally:
        _background_actor.reset(tok)
        _background_request_id.reset(rtok)


_LOADING = "_crossdock_loading_user"


@contextmanager
def loading_the_user():
    """While the request's user is being loaded: whatever asks for the actor
    then (the record rules, for the loader's own queries) gets an anonymous
    one instead of asking flask_login, which would start the same load again
    from inside it (two loads of the user and its session version per request)."""
    g.setdefault(_LOADING, 0)
    g._crossdock_loading_user += 1
    try:
        yield
    finally:
        g._crossdock_loading_user -= 1


def _request_user():
    """The session's user, or for a REST call the bearer token's or API key's
    user: FAB verifies those itself and flask_login never hears of them."""
    from flask_login import current_user

    user = current_user._get_current_object()
    if getattr(user, "is_authenticated", False):
        return user
    if g.get("_api_key_user") and g.get("user") is not None:
        return g.user
    jwt_user = g.get("_jwt_extended_jwt_user")  # set once the token is verified
    if jwt_user and jwt_user.get("loaded_user") is not None:
        return jwt_user["loaded_user"]
    return user


def current_actor() -> Actor:
    if not has_request_context():
        return _background_actor.get()
    if g.get(_LOADING):
        return ANONYMOUS  # not cached: the user is known once the load returns
    user = _request_user()
    cached = g.get("_crossdock_actor")
    if cached is not None and cached[0] is user:  # same login as last asked
        return cached[1]
    if getattr(user, "is_authenticated", False):
        actor = Actor(user.id, user.username, frozenset(r.name for r in user.roles))
    else:
        actor = ANONYMOUS
    g._crossdock_actor = (user, actor)
    return actor


def current_request_id() -> str | None:
    if has_request_context():
        rid = g.get("_crossdock_request_id")
        if rid is None:
            incoming = request.headers.get("X-Request-ID", "")
            rid = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
            g._crossdock_request_id = rid
        return rid
    return _background_request_id.get()
