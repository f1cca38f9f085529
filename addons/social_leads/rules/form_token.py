"""The web form page's signed token: which form, when the page was served and
the submission's id, signed with the form's secret (HMAC-SHA256).

The page embeds it; the POST must bring it back unchanged, for the same form,
within `MAX_AGE` of issue. That is the form's CSRF-free proof: a forged,
altered, foreign or stale token is refused, and the submission id it carries
is the hub's external id, so a POST replayed with one token is stored once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass

MAX_AGE = 24 * 3600  # seconds a served page may be submitted
SKEW = 300  # seconds a token may claim to be from the future (clock drift)


class TokenRefused(ValueError):
    """A token that does not prove the page was ours; the message says why."""


@dataclass(frozen=True)
class FormToken:
    form_id: int
    issued_at: int  # Unix seconds
    submission_id: str  # uuid4


def _mac(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: str, form_id: int, now: int) -> str:
    """A new token for a page of form `form_id` served at `now`."""
    body = f"{form_id}.{now}.{uuid.uuid4()}"
    return f"{body}.{_mac(secret, body)}"


def check(secret: str, form_id: int, token: str, now: int) -> FormToken:
    """The token's contents, or TokenRefused."""
    parts = (token or "").split(".")
    if len(parts) != 4:
        raise TokenRefused("malformed token")
    body, mac = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_mac(secret, body), mac):
        raise TokenRefused("bad signature")
    try:
        claimed, issued, submission = int(parts[0]), int(parts[1]), str(uuid.UUID(parts[2]))
    except ValueError:
        raise TokenRefused("malformed token") from None
    if claimed != form_id:
        raise TokenRefused("token of another form")
    if issued > now + SKEW or now - issued > MAX_AGE:
        raise TokenRefused("token expired")
    return FormToken(claimed, issued, submission)
