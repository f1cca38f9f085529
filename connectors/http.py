"""HTTP for protocol clients: one place that turns transport trouble and
status codes into `TransientError` / `PermanentError`.

Connection refused, timeouts, 5xx and 429 are transient (429 and 503 carry
`Retry-After` in seconds or as an HTTP date); other 4xx are permanent with the
remote's own words, which the caller may refine from the body.
"""
from __future__ import annotations

import email.utils
import time

import requests

from .errors import PermanentError, TransientError

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(session: requests.Session, method: str, url: str, *, what: str,
         timeout=DEFAULT_TIMEOUT, **kwargs) -> requests.Response:
    """Send a request; return the response for 2xx-4xx-non-429, raise the
    transient cases. `what` names the remote in messages ("Tryton at http://..")."""
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.ConnectionError as exc:
        raise TransientError(f"{what}: cannot connect ({_reason(exc)})") from exc
    except requests.Timeout as exc:
        raise TransientError(f"{what}: no answer in time ({_reason(exc)})") from exc
    except requests.RequestException as exc:
        raise TransientError(f"{what}: request failed ({_reason(exc)})") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(
            f"{what}: HTTP {response.status_code} {response.reason or ''}".rstrip(),
            retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    return response


def raise_for_client_error(response: requests.Response, what: str, detail: str = "") -> None:
    """A 4xx is permanent: the remote refused what we sent (or our credentials)."""
    if response.status_code < 400:
        return
    if response.status_code in (401, 403):
        raise PermanentError(f"{what}: access refused (HTTP {response.status_code}); "
                             f"check the backend's credentials{': ' + detail if detail else ''}")
    raise PermanentError(f"{what}: HTTP {response.status_code}"
                         f"{': ' + detail if detail else ''}")


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "timed out", "Name or service not known"):
        if marker in text:
            return marker.lower()
    return text[:200]
