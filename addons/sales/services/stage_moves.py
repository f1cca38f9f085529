"""Moving an open lead/opportunity to another stage of its team's pipeline.

The one place that decides which stages a lead may enter: the board, the form,
the REST action and the demo loader all come here. A move is audited as a
`stage_move` event naming both stages (the ORM audit also records the column).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write

from ..models import Lead, Stage
from ..models.lead import OPEN


class StageMoveError(ValueError):
    """A move that is not allowed; the message says why, for the user."""


def pipeline_of(session: Session, team_id: int | None) -> list[Stage]:
    """The active stages of a team's pipeline in order: its own, else the default."""
    own = session.scalars(select(Stage).where(Stage.team_id == team_id, Stage.active)
                          .order_by(Stage.sequence, Stage.id)).all() if team_id else []
    if own:
        return list(own)
    return list(session.scalars(select(Stage).where(Stage.team_id.is_(None), Stage.active)
                                .order_by(Stage.sequence, Stage.id)))


def stage_allowed(session: Session, lead: Lead, stage: Stage) -> bool:
    return stage.id in {s.id for s in pipeline_of(session, lead.team_id)}


def move_to_stage(session: Session, lead: Lead, stage: Stage) -> None:
    """Put an open lead in `stage`, taking the stage's probability hint.
    Raises StageMoveError (wrong team, closed lead) or AccessDenied (record rules)."""
    if not may_write(session, lead):
        raise AccessDenied(f"{lead.name}: you may not change this opportunity")
    if lead.status != OPEN:
        raise StageMoveError(f"{lead.name} is {lead.status}: restore it before moving it")
    if not stage_allowed(session, lead, stage):
        raise StageMoveError(f"stage '{stage.name}' is not in the pipeline of "
                             f"{lead.team.name if lead.team else 'this lead'}'s team")
    if lead.stage_id == stage.id:
        return
    before = lead.stage
    lead.stage = stage
    lead.probability = stage.probability
    session.flush()
    record_event(session, "stage_move", "Lead", lead.id,
                 {"from": before.name if before else None, "to": stage.name})


