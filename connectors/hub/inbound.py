"""Inbound events: verify (the caller), store raw, answer fast, process later.

`receive` writes the event in the caller's transaction, unique by (source,
external id): a second delivery of the same event returns the stored row and
does nothing else. With the event it writes a hub job of kind
"inbound.<source>" whose record is the event, so processing gets what a push
gets: sent after commit, swept when lost, one claim, retries with backoff on
a transient error, `failed` with the reason on a permanent one, a retry
button on the dashboard (execution.py runs `Inbound.process`).
"""
from __future__ import annotations

import json

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import registry
from .enqueue import write_job
from .handlers import INBOUND_MODEL, Inbound
from .models import InboundEvent


def receive(session: Session, source: Inbound | str, external_id: str,
            payload: str | bytes | dict | list, *, serial_key: str | None = None
            ) -> InboundEvent:
    """Store an event a remote sent (in the caller's transaction) and have
    it processed after commit by the `hub.Inbound` declared for `source`.

    `external_id` is the sender's id of the event (a delivery id, a message
    id): a duplicate delivery returns the row stored the first time and adds
    no job. `payload` is kept as received (bytes as UTF-8 text, a dict or
    list as JSON). Events with the same `serial_key` (say, one sender's)
    are processed one at a time, in the order received; without one, each
    event is its own series."""
    handler = _handler(source)
    raw = (payload.decode("utf-8") if isinstance(payload, bytes)
           else payload if isinstance(payload, str)
           else json.dumps(payload, ensure_ascii=False))
    event = InboundEvent(source=handler.source, external_id=str(external_id), payload=raw)
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        existing = session.scalars(select(InboundEvent).where(
            InboundEvent.source == handler.source,
            InboundEvent.external_id == str(external_id))).first()
        if existing is None:  # not the duplicate after all
            raise
        return existing
    write_job(session, handler.kind, INBOUND_MODEL, event.id, None,
              serial_key=f"{handler.source}:{serial_key}" if serial_key else None)
    return event


def _handler(source: Inbound | str) -> Inbound:
    kind = source.kind if isinstance(source, Inbound) else f"inbound.{source}"
    found = registry.handler(kind)  # LookupError: no one would process it
    if not isinstance(found, Inbound):
        raise TypeError(f"{kind!r} is not an inbound handler")
    return found


def load_event(session: Session, event_id: int) -> InboundEvent | None:
    return session.get(InboundEvent, event_id)


def stored_payload(session: Session, event_id: int) -> str | None:
    """An event's payload as it was received (None: no such event)."""
    return session.scalar(select(InboundEvent.payload).where(InboundEvent.id == event_id))


def events_mentioning(session: Session, sources: list[str], needles: list[str]
                      ) -> list[tuple[int, str, str]]:
    """(id, source, external id) of the events of `sources` whose raw payload
    holds one of `needles` (case ignored): a person's e-mail, phone, social id."""
    needles = [n.lower() for n in needles if n]
    if not sources or not needles:
        return []
    text = func.lower(InboundEvent.payload)
    return [tuple(row) for row in session.execute(
        select(InboundEvent.id, InboundEvent.source, InboundEvent.external_id)
        .where(InboundEvent.source.in_(sources),
               or_(*(text.contains(n, autoescape=True) for n in needles)))
        .order_by(InboundEvent.id))]


def erase_payload(session: Session, event_id: int, replacement: str) -> None:
    """Replace an event's raw payload (the erasure of the person who sent it):
    the row, its source and external id stay, so a redelivery is still a no-op."""
    session.execute(update(InboundEvent).where(InboundEvent.id == event_id)
                    .values(payload=replacement))
