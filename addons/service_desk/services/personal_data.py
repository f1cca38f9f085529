"""The service desk's part of a person's personal data (contacts' extension
point): their tickets (linked, or with their e-mail as the reply address),
every message of those tickets and any message they wrote elsewhere, the
attachments, the ratings.

Erasure keeps the tickets (SLA and rating figures) with subject,
description and reply address replaced (and the escalations' summaries that
quote the subject), blanks the messages' bodies and authors, deletes the
attachments and the ratings' comments (scores stay).
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from addons.contacts.services import timeline
from addons.contacts.services.personal_data.provider import (ANONYMISED, DELETED, ERASED_TEXT,
                                                             Erased, Found, Provider, Subject)
from addons.contacts.services.personal_data.rows import row_of

from ..models import Escalation, Rating, Ticket, TicketMessage
from ..models.ticket_message import INBOUND
from .tickets.opening import SOURCE

TICKET_FIELDS = ("number", "subject", "description", "channel", "ticket_type", "priority",
                 "stage", "contact_email", "created_at", "first_response_at", "solved_at",
                 "closed_at")
MESSAGE_FIELDS = ("id", "kind", "direction", "author_name", "author_email", "body", "channel",
                  "created_at")
LABELS = {"tickets": ("工单", "tickets"), "messages": ("工单消息", "ticket messages"),
          "ratings": ("满意度评价", "ratings")}


def _tickets(session: Session, subject: Subject) -> list[Ticket]:
    found = [Ticket.person_id == subject.person.id]
    if subject.emails:
        found.append(func.lower(Ticket.contact_email).in_(subject.emails))
    return session.scalars(select(Ticket).where(or_(*found)).order_by(Ticket.id)).all()


def _messages(session: Session, subject: Subject, ticket_ids: list[int]) -> list[TicketMessage]:
    found = [TicketMessage.ticket_id.in_(ticket_ids)]
    if subject.emails:
        found.append(func.lower(TicketMessage.author_email).in_(subject.emails))
    return session.scalars(select(TicketMessage).where(or_(*found))
                           .order_by(TicketMessage.id)).all()


def _ratings(session: Session, ticket_ids: list[int]) -> list[Rating]:
    return session.scalars(select(Rating).where(Rating.ticket_id.in_(ticket_ids))
                           .order_by(Rating.id)).all()


def export(session: Session, subject: Subject) -> Found:
    tickets = _tickets(session, subject)
    ids = [t.id for t in tickets]
    found = Found(labels=LABELS)
    found.sections["tickets"] = [row_of(t, TICKET_FIELDS) for t in tickets]
    found.sections["messages"] = []
    for message in _messages(session, subject, ids):
        files = []
        for attachment in message.attachments:
            path = f"attachments/{message.id}/{attachment.id}-{attachment.filename}"
            found.files[path] = attachment.data
            files.append(path)
        found.sections["messages"].append({**row_of(message, MESSAGE_FIELDS),
                                           "ticket": message.ticket.number, "files": files})
    found.sections["ratings"] = [{**row_of(r, ("score", "comment", "created_at")),
                                  "ticket": r.ticket.number} for r in _ratings(session, ids)]
    return found


def erase(session: Session, subject: Subject) -> Erased:
    erased = Erased()
    tickets = _tickets(session, subject)
    ids = [t.id for t in tickets]
    for ticket in tickets:
        if ticket.contact_email:
            erased.identifiers.add(ticket.contact_email)
        ticket.subject = f"{ERASED_TEXT} {ticket.number or ticket.id}"
        ticket.description = ticket.contact_email = None
    erased.add("tickets", ANONYMISED, len(tickets))
    erased.add("timeline entries", ANONYMISED,
               timeline.blank(session, [(SOURCE, i) for i in ids], ERASED_TEXT))
    messages = _messages(session, subject, ids)
    attachments = 0
    for message in messages:
        if message.direction == INBOUND:  # the person's own words (an agent's name stays)
            erased.identifiers.update(v for v in (message.author_email, message.author_name) if v)
        message.body, message.author_email, message.author_name = ERASED_TEXT, None, None
        attachments += len(message.attachments)
        message.attachments.clear()  # delete-orphan: the rows go
    erased.add("messages", ANONYMISED, len(messages))
    erased.add("attachments", DELETED, attachments)
    escalations = session.scalars(select(Escalation).where(Escalation.ticket_id.in_(ids))).all()
    for escalation in escalations:  # their summary quotes the ticket's subject
        escalation.summary = f"{ERASED_TEXT} {escalation.ticket.number}"
    erased.add("escalations", ANONYMISED, len(escalations))
    ratings = [r for r in _ratings(session, ids) if r.comment]
    for rating in ratings:
        rating.comment = None
    erased.add("rating comments", DELETED, len(ratings))
    return erased


PROVIDER = Provider("service_desk", export, erase)
