"""Breaches of open tickets, flagged and escalated: the hub's scheduler runs
`SLA_BREACHES` every minute (a `hub.Every`). A ticket past its first-response
deadline with no public reply yet, or past its resolution deadline unsolved
(and not paused), is flagged, and the team's manager (its desk settings) gets
one escalation per ticket and target: a to-do on their escalations screen,
and whatever other addons do on `ticket_hooks.breached` (service_desk_mail
mails the manager). Idempotent: a flagged target is not looked at again."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from connectors import hub

from ...models import DeskTeam, Escalation, Ticket
from ...models.desk_records import FIRST_RESPONSE, RESOLUTION
from ..tickets import ticket_hooks

BATCH = 500  # per run; the next run takes the rest


def _overdue(now: datetime):
    return and_(Ticket.solved_at.is_(None), Ticket.paused_since.is_(None),
                Ticket.merged_into_id.is_(None),
                or_(and_(Ticket.first_response_at.is_(None), Ticket.first_response_due < now,
                         Ticket.first_response_breached.is_(False)),
                    and_(Ticket.resolution_due < now, Ticket.resolution_breached.is_(False))))


def _escalate(session: Session, ticket: Ticket, target: str, managers: dict) -> None:
    exists = session.scalar(select(Escalation.id).where(Escalation.ticket_id == ticket.id,
                                                        Escalation.target == target))
    if exists is not None:
        return
    what = (gettext("first response") if target == FIRST_RESPONSE else gettext("resolution"))
    escalation = Escalation(
        ticket_id=ticket.id, target=target, team_id=ticket.team_id,
        owner_id=managers.get(ticket.team_id),
        summary=gettext("%(number)s missed its %(target)s target: %(subject)s",
                        number=ticket.number, target=what, subject=ticket.subject)[:255])
    session.add(escalation)
    session.flush()  # its id, for what the hooks write about it
    ticket_hooks.run(ticket_hooks.breached, session, ticket, escalation)


def flag_breaches(session: Session, now: datetime | None = None) -> str | None:
    now = now or datetime.utcnow()
    tickets = session.scalars(select(Ticket).where(_overdue(now))
                              .order_by(Ticket.id).limit(BATCH)).all()
    managers = dict(session.execute(select(DeskTeam.team_id, DeskTeam.manager_id)).all())
    flagged = 0
    for ticket in tickets:
        if (ticket.first_response_at is None and ticket.first_response_due is not None
                and ticket.first_response_due < now and not ticket.first_response_breached):
            ticket.first_response_breached = True
            _escalate(session, ticket, FIRST_RESPONSE, managers)
            flagged += 1
        if (ticket.resolution_due is not None and ticket.resolution_due < now
                and not ticket.resolution_breached):
            ticket.resolution_breached = True
            _escalate(session, ticket, RESOLUTION, managers)
            flagged += 1
    session.flush()
    return f"{flagged} SLA target(s) breached and escalated" if flagged else None


SLA_BREACHES = hub.Every(kind="service_desk.sla_breaches", run=flag_breaches, every_seconds=60)
