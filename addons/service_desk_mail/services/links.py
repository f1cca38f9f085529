"""Absolute links for mails: the request's host while serving one, else
`CROSSDOCK_DESK_PUBLIC_URL` (a scheduled job has no request to take a host
from); neither: the path alone, which a person can still follow from the
address they use."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from ..settings import configured


def absolute_link(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = configured().desk_public_url.rstrip("/")
    if not base:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
