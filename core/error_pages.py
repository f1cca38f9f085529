"""Error pages in the app's layout and the user's language, with a way back.

Every HTTP error of a page (not of the REST API, whose errors stay JSON:
core/api/errors.py) renders `crossdock/error.html` inside the menu bar. An
unhandled exception is logged with the request id that the audit log records
for the same request, and the 500 page shows that id, so a user's report
leads to the log line.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from .api.errors import http_error_json, is_api_request, json_error
from .db import db
from .security.actor import current_request_id

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Not allowed here"),
    413: _l("Too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
EXPLANATIONS = {
    400: _l("The request could not be understood. Check what you entered and try again."),
    403: _l("You do not have access to this page or record."),
    404: _l("This page or record does not exist, or it was deleted."),
    405: _l("This address cannot be used this way. Use the buttons of the page."),
    413: _l("The file or form is larger than this server accepts."),
    429: _l("Too many requests in a short time. Wait a moment and try again."),
    500: _l("The error was logged. If it happens again, give this reference to your "
            "administrator:"),
}


def error_page(code: int, detail: str | None = None, headers=None) -> Response:
    """The page for HTTP status `code`; `detail` is a message of ours (a
    refusal's reason), never an exception's text."""
    code = code if code in TITLES else (500 if code >= 500 else 400)
    request_id = current_request_id() if code == 500 else None
    try:
        db.session.rollback()  # the layout reads menus and permissions: a clean session
        appbuilder = current_app.appbuilder
        body = render_template("crossdock/error.html", appbuilder=appbuilder,
                               base_template=appbuilder.base_template, code=code, title=TITLES[code],
                               explanation=EXPLANATIONS[code], detail=detail,
                               request_id=request_id, back=_way_back())
    except Exception:  # noqa: BLE001 - the layout itself failed: a plain page still answers
        log.exception("error page %s could not be rendered (request %s)", code, request_id)
        body = (f"<!doctype html><title>{code}</title><h1>{code}</h1>"
                f"<p>{request_id or ''}</p><p><a href='/'>Home</a></p>")
    response = Response(body, status=code, mimetype="text/html")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def _way_back() -> str:
    """The page the user came from when it is one of ours, else the start page."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc == request.host and parts.path != request.path:
        return referrer
    return current_app.appbuilder.get_url_for_index


def _http_error(exc: HTTPException) -> Response:
    if isinstance(exc, InternalServerError):
        return _page_for_crash(exc)
    if is_api_request() or exc.code is None:
        return http_error_json(exc)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_page(exc.code or 500, headers=headers)


def _page_for_crash(exc: InternalServerError) -> Response:
    # Flask has logged the traceback just before; this line ties it to the id
    request_id = current_request_id()
    log.error("request %s: unhandled error in %s %s", request_id, request.method,
              request.path)
    if is_api_request():
        response = json_error(500, f"Internal error (request {request_id})")
        response.headers["X-Request-ID"] = request_id
        return response
    return error_page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _page_for_crash)
