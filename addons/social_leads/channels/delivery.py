"""The shapes a platform's webhook is declared with (webhooks.py serves them)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    """What a platform sent: query string, headers, raw body."""
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    body: str
    mimetype: str = "text/plain"


@dataclass(frozen=True)
class Webhook:
    """One platform's webhook: `handshake(client, delivery) -> Answer` for
    the GET, `receive(session, backend, client, delivery) -> Answer` stores
    a verified POST (in the session; the view commits). Both raise
    RequestRefused for a request that is not the platform's."""
    kind: str
    handshake: Callable[[object, Delivery], Answer]
    receive: Callable[[object, object, object, Delivery], Answer]
