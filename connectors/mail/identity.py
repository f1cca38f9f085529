"""One rule for what identifies a message we send: a token derived from our
record reference, giving both its Message-ID and its bounce (VERP) address.

A retried send of the same reference is the same message (the same
Message-ID, so a receiver and our own inbox see one message), and a bounce,
sent by the remote MTA to the envelope sender `bounces+<token>@domain`,
names the message it bounces without any lookup table: `<token@domain>` is
its Message-ID. The token is 24 lowercase base32 characters (MTAs may lower
the case of local parts) of a SHA-256 of the reference; it is not secret, so
a forged bounce naming a guessed reference is possible; act on a bounce only
as far as a real one would justify (mark the address undeliverable).
"""
from __future__ import annotations

import base64
import hashlib
import re

BOUNCE_PREFIX = "bounces+"
_BOUNCE_ADDRESS = re.compile(r"\bbounces\+([a-z2-7]{24})@([^\s<>@]+)", re.IGNORECASE)


def token_for(reference: str) -> str:
    if not reference.strip():
        raise ValueError("a sent mail needs our record's reference")
    digest = hashlib.sha256(reference.encode("utf-8")).digest()[:15]
    return base64.b32encode(digest).decode("ascii").lower()


def message_id(token: str, domain: str) -> str:
    return f"<{token}@{domain.lower()}>"


def bounce_address(token: str, domain: str) -> str:
    return f"{BOUNCE_PREFIX}{token}@{domain.lower()}"


def bounced_message_id(text: str) -> str | None:
    """The Message-ID of our message whose bounce address appears in `text`
    (a To, Delivered-To or X-Original-To header), if any."""
    found = _BOUNCE_ADDRESS.search(text or "")
    if not found:
        return None
    return message_id(found.group(1).lower(), found.group(2))

