"""JSON errors for everything under /api/, including what never reaches a view.

Werkzeug answers unknown routes (404) and wrong methods (405) with HTML pages;
Flask-JWT-Extended, as FAB sets it up, answers a malformed or foreign-signed
JWT with 422 and an `msg` key; FAB's user lookup raised on a token whose
subject is not a number. Under /api/ every error is `{"message": ...}` with
the status the OpenAPI spec lists: 401 for any credential problem.
"""
from __future__ import annotations

import json

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
DEFAULT_MAX_BODY = 4 * 1024 * 1024  # bytes; config key CROSSDOCK_API_MAX_BODY


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, message: str, headers: dict | None = None):
    resp = jsonify(message=message)
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


def _unauthorized(message: str):
    return json_error(401, message, {"WWW-Authenticate": "Bearer"})


def _limit_body() -> None:
    """before_request: a REST body over the limit is a 413 before anything reads it."""
    if not is_api_request():
        return
    from flask import current_app

    limit = current_app.config.get("CROSSDOCK_API_MAX_BODY", DEFAULT_MAX_BODY)
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    request.max_content_length = limit  # a chunked body stops at the limit too


def _refuse_nul_in_query():
    """before_request: a query argument holding NUL is a 400 (PostgreSQL refuses
    NUL in any text it compares: a 500 from whichever query used it)."""
    if not is_api_request():
        return None
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return json_error(400, f"query argument {name.replace(chr(0), '')!r} may not "
                                   "contain NUL characters")
    return None


def http_error_json(exc: HTTPException):
    """A REST request's HTTP error as JSON (core/error_pages.py answers pages')."""
    if exc.code is None:
        return exc
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    message = exc.description or exc.name
    if exc.code == 413:
        message = "Request body too large"
    return json_error(exc.code, message, headers)


def field_errors_message(errors: dict) -> str:
    return "Invalid fields: " + ", ".join(sorted(str(k) for k in errors))


def _message_is_text(response):
    """after_request: FAB puts marshmallow's field errors (a dict) in `message`
    (its REST login's 400, a stock ModelRestApi's 422); the spec says text."""
    if response.status_code < 400 or not is_api_request() or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if isinstance(body, dict) and "message" in body and not isinstance(body["message"], str):
        errors = body["message"]
        body = {**body, "errors": errors,
                "message": field_errors_message(errors) if isinstance(errors, dict)
                else str(errors)}
        response.set_data(json.dumps(body))
    return response


def _configure_jwt(app: Flask) -> None:
    jwt = app.appbuilder.sm.jwt_manager
    load_user = app.appbuilder.sm.load_user_jwt

    @jwt.user_lookup_loader
    def _user(jwt_header, jwt_data):
        try:
            return load_user(jwt_header, jwt_data)
        except (ValueError, TypeError):  # a subject that is not a user id
            return None

    jwt.unauthorized_loader(lambda reason: _unauthorized(reason))
    jwt.invalid_token_loader(lambda reason: _unauthorized(f"Invalid token: {reason}"))
    jwt.expired_token_loader(lambda _h, _d: _unauthorized("Token has expired"))
    jwt.revoked_token_loader(lambda _h, _d: _unauthorized("Token has been revoked"))
    jwt.needs_fresh_token_loader(lambda _h, _d: _unauthorized("Fresh token required"))
    jwt.user_lookup_error_loader(lambda _h, _d: _unauthorized("Unknown or inactive user"))
    jwt.token_verification_failed_loader(
        lambda _h, _d: _unauthorized("Token claims verification failed"))


def init_app(app: Flask) -> None:
    """Call after FAB is initialised (its JWT manager exists) and before other hooks."""
    _configure_jwt(app)
    app.before_request(_limit_body)
    app.before_request(_refuse_nul_in_query)
    app.after_request(_message_is_text)
