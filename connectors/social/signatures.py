"""What every inbound channel checks before believing a request.

`RequestRefused` is raised for a forged, stale or malformed-signature
request; the caller answers 403 and logs `reason`, and never stores the
body as a lead. Compares are constant-time (`hmac.compare_digest`) so a
forger learns nothing from response times.
"""
from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW = 300.0  # seconds either side of our clock a signed timestamp may be


class RequestRefused(Exception):
    """The request is not the platform's, or not fresh: answer 403."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def same(expected: str, given: str | None) -> bool:
    """Constant-time equality of two ASCII strings (hex digests, tokens)."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("ascii", "replace"),
                               given.strip().encode("ascii", "replace"))


def hmac_sha256_hex(key: str, message: bytes | str) -> str:
    data = message.encode("utf-8") if isinstance(message, str) else message
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()


def sha1_of_sorted(*parts: str) -> str:
    """SHA-1 hex of the parts sorted as strings and joined: WeChat's and
    WeCom's signature over token, timestamp, nonce (and Encrypt)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_fresh(timestamp: str | int | None, *, now: float | None = None,
                window: float = REPLAY_WINDOW) -> int:
    """The signed timestamp as an int, refused when missing or further than
    `window` seconds from now: a captured request replayed later fails."""
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        raise RequestRefused(f"timestamp {timestamp!r} is not a number") from None
    now = time.time() if now is None else now
    if abs(now - stamp) > window:
        raise RequestRefused(f"timestamp {stamp} is {int(now - stamp)} s from our clock "
                             f"(more than {int(window)} s): replayed or clock skew")
    return stamp
