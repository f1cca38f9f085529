"""CSRF on every state-changing request, and no state change through GET.

Flask-WTF's CSRFProtect checks the token; its default check is turned off so
that we decide here which requests are exempt: REST calls that carry a bearer
token or API key (no ambient cookie, so no CSRF) and the REST login, which
takes credentials in its body. A REST call that rides on the session cookie
must send X-CSRFToken like a form does.

FAB's CRUD views accept GET on `delete` and single-row `action`; we refuse
those with 405 (its own templates already POST).
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_wtf.csrf import CSRFProtect

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT_ENDPOINTS = {"SecurityApi.login", "SecurityApi.refresh"}
GET_FORBIDDEN_VIEWS = {"delete", "action"}


def init_csrf(app: Flask) -> None:
    """Flask-WTF's CSRFProtect, one per app: FAB exempts each app's REST
    blueprints on it (it keeps the Blueprint objects), so a shared one would
    keep every app ever built alive (tests build one per test)."""
    CSRFProtect(app)


def exempt_from_csrf(endpoint: str) -> None:
    """An inbound endpoint whose caller proves itself otherwise (a client
    certificate, a signature) and carries no session cookie to forge."""
    CSRF_EXEMPT_ENDPOINTS.add(endpoint)


def _has_token_auth() -> bool:
    auth = request.headers.get("Authorization", "")
    return auth.startswith("Bearer ") or bool(request.headers.get("X-API-Key"))


def guard_request() -> None:
    if request.method in UNSAFE:
        if request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if request.path.startswith("/api/") and _has_token_auth():
            return
        current_app.extensions["csrf"].protect()
    elif request.method == "GET" and request.endpoint:
        view = request.endpoint.rsplit(".", 1)[-1]
        if view in GET_FORBIDDEN_VIEWS:
            abort(405)
