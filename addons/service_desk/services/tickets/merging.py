"""Merging a duplicate ticket into the one that stays (the survivor): the
duplicate's messages (and their attachments) move to the survivor, its tags
join the survivor's, and the duplicate is closed pointing at the survivor, so
a mail answering it lands on the survivor (inbound.py follows the pointer).
Audited as a `merge` event on both. Flushes; never commits."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.security.audit import record_event

from ...models import Ticket, TicketMessage
from ...models.stage import CLOSED
from . import stages


class MergeError(ValueError):
    pass


def survivor_of(ticket: Ticket) -> Ticket:
    seen = set()
    while ticket.merged_into is not None and ticket.id not in seen:
        seen.add(ticket.id)
        ticket = ticket.merged_into
    return ticket


def merge(session: Session, survivor: Ticket, duplicate: Ticket,
          now: datetime | None = None) -> Ticket:
    if survivor.id == duplicate.id:
        raise MergeError(gettext("a ticket cannot be merged into itself"))
    if survivor.merged_into_id is not None or duplicate.merged_into_id is not None:
        raise MergeError(gettext("a merged ticket cannot be merged again"))
    now = now or datetime.utcnow()
    session.flush()
    moved = session.execute(update(TicketMessage).where(TicketMessage.ticket_id == duplicate.id)
                            .values(ticket_id=survivor.id)
                            .execution_options(synchronize_session=False)).rowcount
    session.expire(survivor, ["messages"])
    session.expire(duplicate, ["messages"])
    survivor.tags = list({t.id: t for t in [*survivor.tags, *duplicate.tags]}.values())
    if duplicate.stage is None or duplicate.stage.kind != CLOSED:
        stages.move_to_kind(session, duplicate, CLOSED, now)
    duplicate.merged_into = survivor
    session.flush()
    for ticket, other in ((survivor, duplicate), (duplicate, survivor)):
        record_event(session, "merge", "Ticket", ticket.id,
                     {"survivor": survivor.number, "merged": duplicate.number,
                      "messages_moved": moved, "other": other.number})
    return survivor
