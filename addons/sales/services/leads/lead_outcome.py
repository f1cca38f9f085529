"""Closing an opportunity as won or lost, and reopening it.

- mark_won: the team pipeline's won stage, probability 100, closed_at; audited `won`.
- mark_lost: a lost reason is required; probability 0, closed_at; audited `lost`.
- restore: back to open (a lost one in its stage, a won one in the last stage
  before won), closed_at cleared; audited `restore`.
Each checks the record rules first (AccessDenied) and raises OutcomeError, with
a message for the user, on misuse (closing a closed one, reopening an open one).
Flushes, never commits: the caller's transaction holds the change and its audit.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write

from ...models import Lead, LostReason
from ...models.lead import LOST, OPEN, WON
from .stage_moves import pipeline_of, won_stage
from .status_words import status_word


class OutcomeError(ValueError):
    """A won/lost/restore that is not allowed; the message says why."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def _check(session: Session, lead: Lead) -> None:
    if not may_write(session, lead):
        raise AccessDenied(gettext("%(name)s: you may not change this opportunity", name=lead.name))


def _check_open(lead: Lead, action: str) -> None:
    if lead.status != OPEN:
        raise OutcomeError(gettext("%(name)s is already %(status)s: restore it before "
                                   "marking it %(action)s", name=lead.name,
                                   status=status_word(lead.status), action=status_word(action)))


def mark_won(session: Session, lead: Lead) -> None:
    _check(session, lead)
    _check_open(lead, WON)
    stage = won_stage(session, lead.team_id)
    if stage is None:
        raise OutcomeError(
            gettext("the pipeline of %(team)s's team has no won stage "
                    "(Sales > Configuration > Stages)", team=lead.team.name) if lead.team else
            gettext("the pipeline of this lead's team has no won stage "
                    "(Sales > Configuration > Stages)"))
    before = lead.stage
    lead.stage, lead.status, lead.probability = stage, WON, 100
    lead.closed_at = _now()
    lead.lost_reason, lead.lost_note = None, None
    session.flush()
    record_event(session, "won", "Lead", lead.id,
                 {"from": before.name if before else None, "to": stage.name})


def mark_lost(session: Session, lead: Lead, reason: LostReason | None,
              note: str | None = None) -> None:
    """`reason` is required (a LostReason row); `note` optional free text."""
    _check(session, lead)
    if reason is None:
        raise OutcomeError(gettext("%(name)s: a lost reason is required to mark it lost",
                                   name=lead.name))
    if not reason.active:
        raise OutcomeError(gettext("lost reason '%(reason)s' is archived: choose another",
                                   reason=reason.name))
    _check_open(lead, LOST)
    lead.status, lead.probability, lead.closed_at = LOST, 0, _now()
    lead.lost_reason = reason
    lead.lost_note = (note or "").strip() or None
    session.flush()
    record_event(session, "lost", "Lead", lead.id,
                 {"reason": reason.name, "note": lead.lost_note})


def restore(session: Session, lead: Lead) -> None:
    _check(session, lead)
    if lead.status == OPEN:
        raise OutcomeError(gettext("%(name)s is open: only a won or lost one can be restored",
                                   name=lead.name))
    was = lead.status
    stage = lead.stage
    if stage is None or stage.is_won:
        # an open lead may not sit in the won stage: the last stage before it
        open_stages = [s for s in pipeline_of(session, lead.team_id) if not s.is_won]
        stage = open_stages[-1] if open_stages else stage
    lead.status, lead.closed_at = OPEN, None
    lead.lost_reason, lead.lost_note = None, None
    lead.stage = stage
    if stage is not None:
        lead.probability = stage.probability
    session.flush()
    record_event(session, "restore", "Lead", lead.id,
                 {"was": was, "stage": stage.name if stage else None})
