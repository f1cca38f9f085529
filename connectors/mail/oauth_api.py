"""An OAuth2-protected mail API (Microsoft Graph, the Gmail API): access
tokens and authorised requests, errors in the platform's words.

1. A token comes from the token endpoint with the account's grant (client
   credentials for Graph, a refresh token for Google), is cached per process
   (every thread's client shares it) and fetched again a minute before it
   expires, or when the API answers 401 (once per request: a second 401
   means the grant lost its rights).
2. Every call goes through `connectors.http.send`: timeouts, 5xx and 429
   (with `Retry-After`) are `TransientError`. Google's 403 rateLimitExceeded
   / userRateLimitExceeded is a quota too, hence transient; any other 4xx is
   a `PermanentError` saying what the platform said.
"""
from __future__ import annotations

import hashlib
import threading
import time

import requests

from ..errors import PermanentError, TransientError
from ..http import DEFAULT_TIMEOUT, send

EARLY_SECONDS = 60
_RATE_REASONS = ("rateLimitExceeded", "userRateLimitExceeded")
_tokens: dict[str, tuple[str, float]] = {}  # grant's fingerprint -> (token, expires at)
_tokens_lock = threading.Lock()


class OAuthApi:
    """`grant`: the token endpoint's form (grant_type, client_id, ...);
    `what`: the API and mailbox, for messages."""

    def __init__(self, token_url: str, grant: dict[str, str], what: str, *,
                 timeout=DEFAULT_TIMEOUT):
        self.token_url, self.grant, self.what, self.timeout = token_url, grant, what, timeout
        self._key = hashlib.sha256(repr((token_url, sorted(grant.items()))).encode()).hexdigest()
        self.http = requests.Session()

    def request(self, method: str, url: str, *, doing: str, accept: tuple[int, ...] = (),
                **kwargs) -> requests.Response:
        """The API's 2xx answer (or one of `accept`, which the caller reads)."""
        headers = kwargs.pop("headers", {})
        for attempt in (1, 2):
            token = self._token()
            response = send(self.http, method, url, what=self.what, timeout=self.timeout,
                            headers={**headers, "Authorization": f"Bearer {token}"}, **kwargs)
            if response.status_code != 401 or attempt == 2:
                break
            self._forget(token)  # expired or revoked early: a new one, once
        if response.status_code < 400 or response.status_code in accept:
            return response
        words = api_words(response)
        if response.status_code == 403 and any(reason in words for reason in _RATE_REASONS):
            raise TransientError(f"{self.what}, {doing}: over its quota ({words})")
        if response.status_code in (401, 403):
            raise PermanentError(f"{self.what}, {doing}: access refused (HTTP "
                                 f"{response.status_code}: {words}); check the account's "
                                 f"client, its grant and the mailbox's permissions")
        raise PermanentError(f"{self.what}, {doing}: HTTP {response.status_code}: {words}")

    def _token(self) -> str:
        with _tokens_lock:
            found = _tokens.get(self._key)
        if found and found[1] - EARLY_SECONDS > time.time():
            return found[0]
        response = send(self.http, "POST", self.token_url, what=f"{self.what} (token endpoint)",
                        timeout=self.timeout, data=self.grant)
        if response.status_code >= 400:
            raise PermanentError(f"{self.what}: its token endpoint refused the account's "
                                 f"credentials (HTTP {response.status_code}: "
                                 f"{api_words(response)}); check the client id, its secret "
                                 f"and the grant")
        answer = response.json()
        token = answer["access_token"]
        with _tokens_lock:
            _tokens[self._key] = (token, time.time() + float(answer.get("expires_in", 3600)))
        return token

    def _forget(self, token: str) -> None:
        with _tokens_lock:
            if _tokens.get(self._key, ("",))[0] == token:
                del _tokens[self._key]


def api_words(response: requests.Response) -> str:
    """What the platform said: an OAuth error (error, error_description),
    Graph's {"error": {"code", "message"}}, Google's {"error": {"message",
    "errors": [{"reason"}]}}; else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300] or (response.reason or "")
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return f"{error}: {body.get('error_description', '')}".rstrip(": ")
    if isinstance(error, dict):
        reasons = [e.get("reason") for e in error.get("errors") or [] if e.get("reason")]
        code = error.get("code") if isinstance(error.get("code"), str) else error.get("status")
        found = " ".join(str(part) for part in (code, error.get("message")) if part)
        return f"{found} ({', '.join(reasons)})" if reasons else found
    return str(body)[:300]
