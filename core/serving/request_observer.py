"""Each answered request: timed into the HTTP metrics and, in JSON log mode,
one access line (method, path, route, status, duration_ms, user_id and the
request id) on the `crossdock.access` logger.

The clock starts in WSGI, before any of Flask's hooks: a request that a hook
answers early (the addon gate's 404, the login throttle's 429) is timed and
logged like any other.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from . import http_metrics
from .log_format import ACCESS_LOGGER

STARTED = "crossdock.started"
access_log = logging.getLogger(ACCESS_LOGGER)


def _user_id() -> int | None:
    """The user when the request already knew it (loading it here would cost
    a query for requests that never asked, e.g. static files)."""
    cached = g.get("_crossdock_actor")  # core/security/actor.py's
    if cached is not None:
        return cached[1].user_id
    user = g.get("_login_user")  # flask_login's
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _observe(response: Response) -> Response:
    started = request.environ.get(STARTED)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else None
    http_metrics.observe(request.method, route, response.status_code, seconds)
    if access_log.isEnabledFor(logging.INFO):
        ms = round(seconds * 1000, 1)
        access_log.info("%s %s %s %s ms", request.method, request.path, response.status_code,
                        ms, extra={"method": request.method, "path": request.path,
                                   "route": route, "status": response.status_code,
                                   "duration_ms": ms, "user_id": _user_id()})
    return response


def init_app(app: Flask) -> None:
    inner = app.wsgi_app

    def timed(environ, start_response):
        environ[STARTED] = time.perf_counter()
        return inner(environ, start_response)

    app.wsgi_app = timed
    app.after_request(_observe)
