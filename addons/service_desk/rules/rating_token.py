"""The satisfaction link's token: the ticket id signed with the instance's
secret (itsdangerous), so the link works without a login and cannot be made
for another ticket. Valid MAX_AGE seconds; used once (the rating row is
unique per ticket)."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "service-desk-rating"
MAX_AGE = 30 * 24 * 3600


def make_token(secret: str, ticket_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"ticket": ticket_id})


def read_token(secret: str, token: str, max_age: int = MAX_AGE) -> int | None:
    """The ticket id, or None for a forged, altered or expired token."""
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is one
        return None
    ticket = data.get("ticket") if isinstance(data, dict) else None
    return ticket if isinstance(ticket, int) else None
