"""Adding to a ticket's thread: an agent's public reply or internal note, a
customer's message. A first public reply stops the first-response clock and
takes a new ticket into progress. A public reply goes to the customer
through the addons hooked on `ticket_hooks.replied` (service_desk_mail).
Flushes; never commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy.orm import Session

from ...models import Ticket, TicketAttachment, TicketMessage
from ...models.stage import IN_PROGRESS, NEW
from ...models.ticket_message import INBOUND, NOTE, OUTBOUND, PUBLIC
from ..sla import clock
from . import stages, ticket_hooks


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


class ThreadError(ValueError):
    pass


def _attach(message: TicketMessage, attachments) -> None:
    message.attachments = [
        TicketAttachment(filename=(a.filename or "attachment")[:255],
                         content_type=a.content_type or "application/octet-stream",
                         size=len(a.data), data=a.data) for a in attachments]


def _live(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise ThreadError(gettext("ticket %(number)s was merged into another: answer that one",
                                  number=ticket.number))


def reply(session: Session, ticket: Ticket, author_id: int | None, body: str, *,
          public: bool = True, attachments=(), now: datetime | None = None) -> TicketMessage:
    _live(ticket)
    if not (body or "").strip():
        raise ThreadError(gettext("a reply needs a text"))
    now = now or datetime.utcnow()
    message = TicketMessage(ticket=ticket, kind=PUBLIC if public else NOTE, direction=OUTBOUND,
                            author_id=author_id, body=body, created_at=now)
    _attach(message, attachments)
    session.add(message)
    if public:
        clock.responded(session, ticket, now)
        if ticket.stage is not None and ticket.stage.kind == NEW:
            stages.move_to_kind(session, ticket, IN_PROGRESS, now)
    session.flush()
    if public:
        ticket_hooks.run(ticket_hooks.replied, session, ticket, message)  # e.g. mailed
    return message


def add_customer_message(session: Session, ticket: Ticket, email: str | None, name: str | None,
                         body: str, *, message_id: str | None = None, channel: str | None = None,
                         attachments=(), now: datetime | None = None) -> TicketMessage:
    message = TicketMessage(ticket=ticket, kind=PUBLIC, direction=INBOUND, author_email=email,
                            author_name=name, body=body or "", message_id=message_id,
                            channel=channel, created_at=now or datetime.utcnow())
    _attach(message, attachments)
    session.add(message)
    session.flush()
    return message
