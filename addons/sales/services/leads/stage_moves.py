"""Moving an open lead/opportunity to another stage of its team's pipeline,
and the stage a new lead starts in.

The one place that decides which stages a lead may enter: the board, the form,
the REST action and the demo loader all come here. A move is audited as a
`stage_move` event naming both stages (the ORM audit also records the column).
A new lead without a stage gets the first stage of its team's pipeline (and
that stage's probability) in `place_new_leads`, a before_flush listener
(registered by listeners.py), so every create path (screens, REST,
conversion, imports, demo) is covered.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write
from core.security.teams import Team, user_team_ids

from ...models import Lead, Stage
from ...models.lead import OPEN
from .status_words import status_word


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


def first_stage(session: Session, team_id: int | None) -> Stage | None:
    """Where a new lead of this team starts: the first stage that is not won."""
    return next((s for s in pipeline_of(session, team_id) if not s.is_won), None)


def won_stage(session: Session, team_id: int | None) -> Stage | None:
    return next((s for s in pipeline_of(session, team_id) if s.is_won), None)


def stage_allowed(session: Session, lead: Lead, stage: Stage) -> bool:
    return stage.id in {s.id for s in pipeline_of(session, _team_id(lead))}


def move_to_stage(session: Session, lead: Lead, stage: Stage) -> None:
    """Put an open lead in `stage`, taking the stage's probability hint.
    Raises StageMoveError (wrong team, won stage, closed lead) or AccessDenied (record rules)."""
    if not may_write(session, lead):
        raise AccessDenied(gettext("%(name)s: you may not change this opportunity", name=lead.name))
    if lead.status != OPEN:
        raise StageMoveError(gettext("%(name)s is %(status)s: restore it before moving it",
                                     name=lead.name, status=status_word(lead.status)))
    if not stage_allowed(session, lead, stage):
        raise StageMoveError(
            gettext("stage '%(stage)s' is not in the pipeline of %(team)s's team",
                    stage=stage.name, team=lead.team.name) if lead.team else
            gettext("stage '%(stage)s' is not in the pipeline of this lead's team",
                    stage=stage.name))
    if stage.is_won:
        # won is an outcome with its own audit event and closed_at: mark_won
        raise StageMoveError(gettext("stage '%(stage)s' means won: mark %(name)s as won instead",
                                     stage=stage.name, name=lead.name))
    if lead.stage_id == stage.id:
        return
    before = lead.stage
    lead.stage = stage
    lead.probability = stage.probability
    session.flush()
    record_event(session, "stage_move", "Lead", lead.id,
                 {"from": before.name if before else None, "to": stage.name})


def _team_id(lead: Lead) -> int | None:
    # forms and REST schemas set the relationship; the column follows at flush
    return lead.team.id if lead.team is not None else lead.team_id


def _owner_team(session: Session, lead: Lead) -> int | None:
    owner_id = lead.owner.id if lead.owner is not None else lead.owner_id
    if owner_id is None:
        return None
    teams = user_team_ids(session, owner_id)
    return min(teams) if teams else None


def place_new_leads(session: Session, _ctx, _instances) -> None:
    """New leads: the owner's team when none is given, the first stage of the
    team's pipeline and its probability. A lead moved to another team leaves a
    stage of the old pipeline for the first stage of the new one."""
    for lead in [o for o in session.new if isinstance(o, Lead)]:
        if lead.team is None and lead.team_id is None:
            team_id = _owner_team(session, lead)
            if team_id is not None:
                # the relationship, not the column: a form's explicit "no team"
                # in the relationship would undo the column at flush
                lead.team = session.get(Team, team_id)
        if lead.stage is None and lead.stage_id is None:
            stage = first_stage(session, _team_id(lead))
            if stage is not None:
                lead.stage = stage
                if lead.probability is None:
                    lead.probability = stage.probability
    for lead in [o for o in session.dirty if isinstance(o, Lead)]:
        attrs = inspect(lead).attrs
        if not (attrs.team.history.has_changes() or attrs.team_id.history.has_changes()):
            continue
        stage = lead.stage
        if lead.status == OPEN and stage is not None and not stage_allowed(session, lead, stage):
            new = first_stage(session, _team_id(lead))
            if new is not None:
                lead.stage, lead.probability = new, new.probability
