"""The seam for incoming mail (and any other channel that delivers a
customer's message): `from_message`.

connectors/mail's routing (support@ aliases) calls it once per message, as
the system, in the transaction that marks the mail processed:

    from addons.service_desk.services import tickets
    result = tickets.from_message(session, sender_email, sender_name, subject, text,
                                  message_id, in_reply_to, references, attachments,
                                  channel="mail", team_id=None)

- a Message-ID seen before returns that message's ticket, nothing added
  (`result.duplicate`);
- the ticket answered is found by In-Reply-To, then References (newest
  first), against the thread's Message-IDs and the first mail's, then by a
  "[T-000123]" tag in the subject; a merged ticket leads to its survivor;
- found and not closed: the message joins it, and a ticket waiting for the
  customer or solved goes back to work (in progress: a reopen);
- otherwise (nothing found, or the ticket is closed) a new ticket: the
  customer is the contact with the sender's address, or a new person
  (customers.py), the team `team_id` or the first team with desk settings.
`attachments`: `thread.Attachment(filename, content_type, data)` items.
Flushes; never commits."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import DeskTeam, Ticket, TicketMessage
from ...models.stage import CLOSED, SOLVED, WAITING
from ...models.ticket import MAIL
from . import stages, ticket_hooks
from .customers import ALL_ROWS, customer_for
from .merging import survivor_of
from .opening import open_ticket
from .thread import add_customer_message

SUBJECT_TAG = re.compile(r"\[#?(T-\d{6,})\]")  # "[T-000123]", or the mail connector's "[#T-000123]"


@dataclass(frozen=True)
class Received:
    ticket: Ticket
    message: TicketMessage
    created: bool  # a new ticket
    reopened: bool = False
    duplicate: bool = False


def _ticket_answered(session: Session, subject: str, in_reply_to, references) -> Ticket | None:
    ids = [i for i in [in_reply_to, *reversed(list(references or ()))] if i]
    for message_id in ids:
        ticket = session.scalar(select(Ticket).join(TicketMessage)
                                .where(TicketMessage.message_id == message_id),
                                execution_options=ALL_ROWS)
        ticket = ticket or session.scalar(select(Ticket).where(Ticket.message_id == message_id)
                                          .order_by(Ticket.id), execution_options=ALL_ROWS)
        if ticket is not None:
            return ticket
    tag = SUBJECT_TAG.search(subject or "")
    if tag:
        return session.scalar(select(Ticket).where(Ticket.number == tag.group(1)),
                              execution_options=ALL_ROWS)
    return None


def _default_team(session: Session) -> int | None:
    return session.scalar(select(DeskTeam.team_id).order_by(DeskTeam.id).limit(1))


def from_message(session: Session, sender_email: str, sender_name: str | None, subject: str,
                 text: str, message_id: str | None = None, in_reply_to: str | None = None,
                 references=(), attachments=(), channel: str = MAIL, *,
                 team_id: int | None = None, now: datetime | None = None) -> Received:
    now = now or datetime.utcnow()
    if message_id:
        seen = session.scalar(select(TicketMessage).where(TicketMessage.message_id == message_id),
                              execution_options=ALL_ROWS)
        if seen is not None:
            return Received(seen.ticket, seen, created=False, duplicate=True)
    ticket = _ticket_answered(session, subject, in_reply_to, references)
    if ticket is not None:
        ticket = survivor_of(ticket)
    if ticket is not None and (ticket.stage is None or ticket.stage.kind != CLOSED):
        message = add_customer_message(session, ticket, sender_email, sender_name, text,
                                       message_id=message_id, channel=channel,
                                       attachments=attachments, now=now)
        reopened = ticket.stage is not None and ticket.stage.kind in (WAITING, SOLVED)
        if reopened:
            stages.reopen(session, ticket, now)
        return Received(ticket, message, created=False, reopened=reopened)
    company, person = customer_for(session, sender_email, sender_name)
    subject = (subject or "").strip() or "(no subject)"
    ticket = open_ticket(session, subject=subject[:255], description=text, channel=channel,
                         company=company, person=person, contact_email=sender_email,
                         message_id=message_id,
                         team_id=team_id if team_id is not None else _default_team(session),
                         created_at=now)
    message = add_customer_message(session, ticket, sender_email, sender_name, text,
                                   message_id=message_id, channel=channel,
                                   attachments=attachments, now=now)
    ticket_hooks.run(ticket_hooks.opened, session, ticket, message)  # e.g. acknowledged
    return Received(ticket, message, created=True)
