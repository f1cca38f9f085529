"""A ticket's SLA clock, moved by what happens to the ticket (the ticket
services call these; nothing else writes the SLA columns).

Deadlines count the policy's working minutes from `created_at`, plus the
working minutes the ticket has spent waiting for the customer: waiting pauses
the clock (no deadline while paused), leaving the waiting stage adds the
pause and sets the deadlines again. The minutes it took (working time, pauses
left out) and whether a target was missed are kept when the first public
reply is sent and when the ticket is solved; the breach scan (breaches.py)
flags targets missed while still open."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...models import Ticket
from ...rules.working_time import deadline, working_minutes
from .calendars import calendar_for
from .policy_match import policy_for


def start(session: Session, ticket: Ticket) -> None:
    """A new ticket: its policy and deadlines."""
    ticket.sla_policy = policy_for(session, ticket)
    set_deadlines(session, ticket)


def set_deadlines(session: Session, ticket: Ticket) -> None:
    policy = ticket.sla_policy
    if policy is None or ticket.paused_since is not None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    calendar = calendar_for(session, ticket.team_id)
    paused = ticket.paused_minutes or 0

    def due(minutes):
        return None if minutes is None else deadline(ticket.created_at, minutes + paused, calendar)

    if ticket.first_response_at is None:
        ticket.first_response_due = due(policy.first_response_minutes)
    ticket.resolution_due = due(policy.resolution_minutes)


def pause(session: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.paused_since is None:
        ticket.paused_since = now
        set_deadlines(session, ticket)


def resume(session: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.paused_since is not None:
        calendar = calendar_for(session, ticket.team_id)
        ticket.paused_minutes = ((ticket.paused_minutes or 0)
                                 + working_minutes(ticket.paused_since, now, calendar))
        ticket.paused_since = None
        set_deadlines(session, ticket)


def _spent(session: Session, ticket: Ticket, now: datetime) -> int:
    calendar = calendar_for(session, ticket.team_id)
    return max(working_minutes(ticket.created_at, now, calendar) - (ticket.paused_minutes or 0), 0)


def responded(session: Session, ticket: Ticket, now: datetime) -> None:
    """The first public reply to the customer."""
    if ticket.first_response_at is not None:
        return
    ticket.first_response_at = now
    ticket.first_response_minutes = _spent(session, ticket, now)
    if ticket.first_response_due is not None and now > ticket.first_response_due:
        ticket.first_response_breached = True


def solved(session: Session, ticket: Ticket, now: datetime) -> None:
    resume(session, ticket, now)
    ticket.solved_at = now
    ticket.resolution_minutes = _spent(session, ticket, now)
    if ticket.resolution_due is not None and now > ticket.resolution_due:
        ticket.resolution_breached = True


def reopened(session: Session, ticket: Ticket) -> None:
    """Solved, then the customer answered: the resolution clock runs on."""
    ticket.solved_at = ticket.closed_at = None
    ticket.resolution_minutes = None
    set_deadlines(session, ticket)
