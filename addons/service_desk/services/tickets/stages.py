"""A team's stages and a ticket's moves between them.

A team's flow is its own active stages, or the default ones (no team) when
it has none. Moving a ticket tells its SLA clock (services/sla/clock.py):
waiting pauses it, leaving waiting resumes it, solved or closed stops it,
and a move back from solved or closed reopens it."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import TicketStage, Ticket
from ...models.stage import CLOSED, DONE, IN_PROGRESS, NEW, WAITING
from ..sla import clock
from . import ticket_hooks


class StageError(ValueError):
    """A move the ticket's flow does not allow; the message says why."""


def flow_of(session: Session, team_id: int | None) -> list[TicketStage]:
    def stages(team):
        return session.scalars(select(TicketStage).where(TicketStage.active, team)
                               .order_by(TicketStage.sequence, TicketStage.id)).all()

    own = stages(TicketStage.team_id == team_id) if team_id is not None else []
    return own or stages(TicketStage.team_id.is_(None))


def stage_of_kind(session: Session, team_id: int | None, kind: str) -> TicketStage:
    stage = next((s for s in flow_of(session, team_id) if s.kind == kind), None)
    if stage is None:
        raise StageError(gettext("the team's stages have none of kind '%(kind)s'", kind=kind))
    return stage


def first_stage(session: Session, team_id: int | None) -> TicketStage | None:
    flow = flow_of(session, team_id)
    return next((s for s in flow if s.kind == NEW), flow[0] if flow else None)


def move(session: Session, ticket: Ticket, stage: TicketStage, now: datetime | None = None) -> None:
    now = now or datetime.utcnow()
    if ticket.merged_into_id is not None:
        raise StageError(gettext("ticket %(number)s was merged into another", number=ticket.number))
    if stage.id not in {s.id for s in flow_of(session, ticket.team_id)}:
        raise StageError(gettext("stage '%(stage)s' is not one of the ticket's team's stages",
                                 stage=stage.name))
    before = ticket.stage.kind if ticket.stage is not None else NEW
    ticket.stage = stage
    if stage.kind == WAITING:
        clock.pause(session, ticket, now)
    elif before == WAITING:
        clock.resume(session, ticket, now)
    if stage.kind in DONE and before not in DONE:
        clock.solved(session, ticket, now)
    elif stage.kind not in DONE and before in DONE:
        clock.reopened(session, ticket)
    if stage.kind == CLOSED and ticket.closed_at is None:
        ticket.closed_at = now
    if stage.kind != before:
        ticket_hooks.run(ticket_hooks.moved, session, ticket, before, stage.kind)


def move_to_kind(session: Session, ticket: Ticket, kind: str,
                 now: datetime | None = None) -> None:
    move(session, ticket, stage_of_kind(session, ticket.team_id, kind), now)


def reopen(session: Session, ticket: Ticket, now: datetime | None = None) -> None:
    """The customer answered: back to work (from waiting, solved or new)."""
    move_to_kind(session, ticket, IN_PROGRESS, now)
