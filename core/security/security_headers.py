"""Security headers on every response: not framed, no MIME sniffing, no
referrer to other sites, and a Content-Security-Policy our own pages satisfy.

FAB's templates use inline scripts, styles and event handler attributes, so
scripts and styles allow 'unsafe-inline'; everything else loads from this
host only. data: images and fonts are allowed for Swagger UI's and the
themes' icons. tests/browser/test_pages_keep_the_csp.py opens the screens
and fails on any violation.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Each header unless the response set its own; a page that names its
    own frame-ancestors (an embeddable form) is not denied framing as well."""
    own_policy = response.headers.get("Content-Security-Policy", "")
    for name, value in HEADERS.items():
        if name == "X-Frame-Options" and "frame-ancestors" in own_policy:
            continue
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    # first in the list: Flask runs after_request hooks last-registered first,
    # so this one runs last, on whatever response another hook put in place
    app.after_request_funcs.setdefault(None, []).insert(0, add_security_headers)
