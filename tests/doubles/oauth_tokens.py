"""Access tokens as an OAuth2 token endpoint issues them, for the mail API
doubles: each with its lifetime, all of them expired at once on demand (as
a token running out mid-run)."""
from __future__ import annotations

import itertools
import time
from urllib.parse import parse_qs

from .json_http import Request


class IssuedTokens:
    def __init__(self, lifetime: int = 3599):
        self.lifetime = lifetime
        self.granted = 0  # tokens handed out, for tests to see a refresh
        self._live: dict[str, float] = {}
        self._numbers = itertools.count(1)

    def issue(self) -> dict:
        token = f"access-{next(self._numbers)}"
        self._live[token] = time.time() + self.lifetime
        self.granted += 1
        return {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": token}

    def valid(self, request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return self._live.get(token, 0) > time.time()

    def expire_all(self) -> None:
        self._live.clear()


def form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, last value of each field."""
    return {k: v[-1] for k, v in parse_qs(request.raw_body.decode("ascii")).items()}
