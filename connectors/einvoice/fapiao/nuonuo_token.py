"""The Nuonuo access token a self-use app sends with every call.

Per the open platform's page for self-use apps (自用型应用, "获取access_token"):
`POST https://open.nuonuo.com/accessToken`, form-encoded
(`application/x-www-form-urlencoded;charset=UTF-8`) `client_id` = appKey,
`client_secret` = appSecret, `grant_type=client_credentials`; the answer is
`{"access_token": "...", "expires_in": "86400"}` (24 h, no refresh token:
fetch a new one before it ends, "e.g. at 23 h"), a refusal
`{"error": "070305", "error_description": "Incorrect clientSecret[...]"}`
(070304 clientId, 070306 more than 50 fetches in 30 days, 070307 app type).

So a fetched token is kept per process (every client of the same app shares
it: 50 fetches a month is little) and fetched again once 23/24 of its life
has passed. The gateway's code for a token it does not take is 070301
("accessToken不匹配/或appKey不匹配"; the pages name no separate code for an
expired one): on it the wire asks `renewed(stale)` once. A token refused
again right after being fetched is not an expiry but the credentials: no
more fetches for an hour, so failing jobs cannot spend the month's quota.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from ...errors import PermanentError
from ...http import send

TOKEN_URL = "https://open.nuonuo.com/accessToken"
LIFE_USED = 23 / 24          # fetch anew after this share of the token's life
REFUSED_PAUSE = 3600.0       # seconds without fetching after a fresh token was refused
FRESH = 300.0                # a token this young that is refused was not expired


class FixedToken:
    """A token an admin pasted (options {"token": ...}): never fetched."""

    def __init__(self, token: str):
        self.token = token

    def current(self) -> str:
        return self.token

    def renewed(self, stale: str) -> str | None:
        return None


@dataclass
class _Kept:
    token: str
    fetched: float
    life: float
    after_refusal: bool = False  # fetched because the gateway refused the one before
    refused_until: float = 0.0


_kept: dict[tuple[str, str, str], _Kept] = {}
_lock = threading.Lock()


class FetchedToken:
    """The app's token from the token endpoint, kept per process."""

    def __init__(self, token_url: str, app_key: str, app_secret: str):
        self.token_url, self.app_key, self._secret = token_url, app_key, app_secret
        self.what = f"Nuonuo's token endpoint at {token_url}"
        self.session = requests.Session()

    @property
    def _key(self):
        return (self.token_url, self.app_key, self._secret)

    def current(self) -> str:
        with _lock:
            kept = _kept.get(self._key)
            if kept is None or time.monotonic() - kept.fetched >= kept.life * LIFE_USED:
                kept = _kept[self._key] = self._fetch()
            return kept.token

    def renewed(self, stale: str) -> str | None:
        """A token other than `stale` (the gateway refused it), or None when
        a freshly fetched one was refused: the credentials are wrong."""
        with _lock:
            kept, now = _kept.get(self._key), time.monotonic()
            if kept is not None and kept.token != stale:
                return kept.token  # another thread fetched it already
            if kept is not None and (now < kept.refused_until or (
                    kept.after_refusal and now - kept.fetched < FRESH)):
                kept.refused_until = max(kept.refused_until, now + REFUSED_PAUSE)
                return None
            kept = _kept[self._key] = self._fetch()
            kept.after_refusal = True
            return kept.token

    def _fetch(self) -> _Kept:
        response = send(self.session, "POST", self.token_url, what=self.what,
                        data={"client_id": self.app_key, "client_secret": self._secret,
                              "grant_type": "client_credentials"},
                        headers={"Content-Type":
                                 "application/x-www-form-urlencoded;charset=UTF-8"})
        try:
            answer = response.json()
        except ValueError as exc:
            raise PermanentError(f"{self.what} answered no JSON (HTTP "
                                 f"{response.status_code}); check the token URL") from exc
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            error = answer.get("error", "") if isinstance(answer, dict) else ""
            words = answer.get("error_description", "") if isinstance(answer, dict) else ""
            raise PermanentError(f"{self.what} refused the app's credentials "
                                 f"({error}: {words}); check appKey and appSecret "
                                 "(070306: the 50 fetches of 30 days are spent)")
        life = float(answer.get("expires_in") or 86400)
        return _Kept(str(token), time.monotonic(), life)
