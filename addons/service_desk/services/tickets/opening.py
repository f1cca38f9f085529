"""A new ticket, whatever its channel: numbered, in its team's first stage,
under its SLA policy, assigned within the team, and on its customer's
timeline. Flushes; never commits."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session

from addons.contacts.services import timeline

from ...models import Ticket
from ...models.ticket import CHANNELS
from ..assignment import assign
from ..sla import clock
from .numbering import draw_number
from .stages import first_stage

SOURCE = "service_desk.ticket"  # the timeline entries' source model


def prepare(session: Session, ticket: Ticket) -> None:
    """Number, stage and SLA of a ticket about to be added (forms and REST too)."""
    if ticket.channel not in CHANNELS:
        raise ValueError(gettext("channel must be one of %(channels)s",
                                 channels=", ".join(CHANNELS)))
    if not (ticket.subject or "").strip():
        raise ValueError(gettext("a subject is required"))
    ticket.created_at = ticket.created_at or datetime.utcnow()
    ticket.number = ticket.number or draw_number(session)
    if ticket.stage is None:
        ticket.stage = first_stage(session, ticket.team_id)
    clock.start(session, ticket)


def settle(session: Session, ticket: Ticket) -> None:
    """After the ticket's row exists: its assignee and its timeline entries."""
    session.flush()
    if ticket.owner_id is None:
        assign(session, ticket)
    on_timeline(session, ticket)


def open_ticket(session: Session, **fields) -> Ticket:
    ticket = Ticket(**fields)
    session.add(ticket)
    prepare(session, ticket)
    settle(session, ticket)
    return ticket


def on_timeline(session: Session, ticket: Ticket) -> None:
    url = url_for("DeskTicketView.show", pk=ticket.id) if has_request_context() else None
    for contact in (ticket.company, ticket.person):
        if contact is not None:
            timeline.attach(session, contact, "ticket", f"{ticket.number} {ticket.subject}"[:255],
                            source=(SOURCE, ticket.id), url=url, body=ticket.description)
