"""UTM parameters: read from a query string (the page the form is embedded
in, passed along by the snippet, or the referrer)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_LENGTH = 128


def utm_of(values: dict[str, str]) -> dict[str, str]:
    """The UTM parameters among `values`, trimmed, empty ones left out."""
    found = {}
    for key in UTM_KEYS:
        value = (values.get(key) or "").strip()[:MAX_LENGTH]
        if value:
            found[key] = value
    return found


def utm_of_url(url: str | None) -> dict[str, str]:
    """The UTM parameters in `url`'s query string."""
    if not url:
        return {}
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return utm_of(dict(parse_qsl(query)))
