"""Automatic lead assignment (自动分配线索): weighted round-robin over a rule's
pool, fair under concurrency, run on creation and on demand.

``assign_new_leads`` (after_flush; registered by listeners.py)
    The one creation hook: after a flush that inserted open leads without an
    owner (an admin's form, the API, an import, a demo load), each is assigned
    in the same transaction. ``take_write_lock_first`` (before_flush, first)
    and ``reload_assigned_leads`` (after_flush_postexec) go with it.

``assign_lead(session, lead) -> Outcome``
    Assign one open, unowned lead: the active rules in (sequence, id) order
    whose conditions match (source, region, tag, minimum score; empty = any)
    are tried in turn, and the first with a member below capacity gets it.
    ``Outcome.user_id`` is None when nobody could take it; ``message`` says why.

``assign_unassigned(session, *, limit=None) -> RunResult``
    The on-demand run (rules screen button, ``crossdock sales assign``): every
    open unowned lead or opportunity, oldest first, each in its own
    transaction (commits).

Fairness: a rule's members form a cycle of sum(weights) slots, interleaved
(weights 1:2 -> A B B), so over each full cycle every member gets leads in
proportion to its weight. The pointer to the next slot is stored on the rule.
Reading and advancing it happens under a row lock of the rule: ``SELECT ...
FOR UPDATE`` on PostgreSQL; on SQLite, which has one writer at a time, a
no-op UPDATE of the row takes the database's write lock first (BEGIN
IMMEDIATE semantics), and a run that finds its snapshot stale retries the
lead. So two concurrent assignments never take the same slot.

Assignment is a system decision under the rule: the lead's owner (and the
rule's team) are written with a Core UPDATE, so the record rules of whoever
triggered it do not apply (a salesperson's import may hand leads to a
colleague); who may run it is the rules screen's permission. Each assignment
is audited as an ``assign`` event naming rule and user.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import click
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, attributes

from core.security.actor import SYSTEM, acting_as
from core.security.audit import record_event

from ...models.assignment_rule import AssignmentMember, AssignmentRule
from ...models.lead import OPEN, Lead, lead_tag
from .stage_moves import first_stage, pipeline_of

log = logging.getLogger(__name__)

SQLITE_RETRIES = 20
NO_RULE = "no active assignment rule matches"


@dataclass(frozen=True)
class Outcome:
    lead_id: int
    user_id: int | None
    rule_id: int | None
    message: str


@dataclass
class RunResult:
    assigned: list[Outcome] = field(default_factory=list)
    unassigned: list[Outcome] = field(default_factory=list)

    def summary(self) -> str:
        counts = f"{len(self.assigned)} lead(s) assigned, {len(self.unassigned)} left unassigned"
        reasons = sorted({o.message for o in self.unassigned})
        return counts + (f" ({'; '.join(reasons)})" if reasons else "")


def cycle(members: list[tuple[int, int]]) -> list[int]:
    """The slots of one cycle for (user_id, weight) pairs: round i holds every
    member whose weight exceeds i, so a member's slots are spread out."""
    slots = []
    for i in range(max((w for _, w in members), default=0)):
        slots += [user for user, weight in members if weight > i]
    return slots


def _conn(session: Session):
    return session.connection()


def _matches(rule, lead_row: dict, lead_tags: set[int]) -> bool:
    if rule.source and (lead_row["source"] or "").strip().lower() != rule.source.strip().lower():
        return False
    if rule.region and (lead_row["region"] or "").strip().lower() != rule.region.strip().lower():
        return False
    if rule.tag_id is not None and rule.tag_id not in lead_tags:
        return False
    if rule.min_score is not None and (lead_row["score"] or 0) < rule.min_score:
        return False
    return True


def _lock_pointer(session: Session, rule_id: int) -> int | None:
    """The rule's pointer, read under the rule's row lock (held until commit)."""
    conn = _conn(session)
    table = AssignmentRule.__table__
    if conn.dialect.name == "sqlite":
        # a write first: SQLite's write lock, so nobody advances it before we commit
        conn.execute(update(table).where(table.c.id == rule_id)
                     .values(pointer=table.c.pointer))
        return conn.scalar(select(table.c.pointer).where(table.c.id == rule_id))
    return conn.scalar(select(table.c.pointer).where(table.c.id == rule_id).with_for_update())


def _open_count(session: Session, user_id: int) -> int:
    t = Lead.__table__
    return _conn(session).scalar(select(func.count()).select_from(t).where(
        t.c.owner_id == user_id, t.c.status == OPEN))


def _take_slot(session: Session, rule) -> tuple[int | None, str]:
    """The member the rule's next free slot names, the pointer moved past it."""
    pointer = _lock_pointer(session, rule.id)  # first: the pool is read under the lock too
    if pointer is None:
        return None, f"rule '{rule.name}' was removed"
    members = _conn(session).execute(
        select(AssignmentMember.user_id, AssignmentMember.weight, AssignmentMember.capacity)
        .where(AssignmentMember.rule_id == rule.id, AssignmentMember.active)
        .order_by(AssignmentMember.id)).all()
    if not members:
        return None, f"rule '{rule.name}' has no active members"
    slots = cycle([(m.user_id, m.weight) for m in members])
    capacity = {m.user_id: m.capacity for m in members}
    full: dict[int, bool] = {}
    for step in range(len(slots)):
        user = slots[(pointer + step) % len(slots)]
        if user not in full:
            limit = capacity[user]
            full[user] = limit is not None and _open_count(session, user) >= limit
        if not full[user]:
            table = AssignmentRule.__table__
            _conn(session).execute(update(table).where(table.c.id == rule.id).values(
                pointer=(pointer + step + 1) % len(slots)))
            return user, ""
    return None, f"every member of rule '{rule.name}' is at capacity"


def _rules(session: Session) -> list:
    t = AssignmentRule.__table__
    return _conn(session).execute(
        select(t.c.id, t.c.name, t.c.source, t.c.region, t.c.tag_id, t.c.min_score,
               t.c.team_id).where(t.c.active).order_by(t.c.sequence, t.c.id)).all()


def _locked_lead(session: Session, lead_id: int):
    """The lead's row under its row lock: two runs over the same lead wait for
    each other, and the second sees the owner the first gave (then skips)."""
    t = Lead.__table__
    conn = _conn(session)
    stmt = select(t.c.id, t.c.source, t.c.region, t.c.score, t.c.owner_id, t.c.status,
                  t.c.team_id, t.c.stage_id).where(t.c.id == lead_id)
    if conn.dialect.name == "sqlite":
        conn.execute(update(t).where(t.c.id == lead_id).values(owner_id=t.c.owner_id))
    else:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().one_or_none()


def _assign_id(session: Session, lead_id: int) -> Outcome:
    # locks in one order everywhere (the lead, then the rule): no deadlock
    t = Lead.__table__
    row = _locked_lead(session, lead_id)
    if row is None or row["owner_id"] is not None or row["status"] != OPEN:
        return Outcome(lead_id, None, None, "not an open unassigned lead")
    tags = set(_conn(session).scalars(
        select(lead_tag.c.tag_id).where(lead_tag.c.lead_id == lead_id)))
    reasons = []
    for rule in _rules(session):
        if not _matches(rule, row, tags):
            continue
        user_id, why = _take_slot(session, rule)
        if user_id is None:
            reasons.append(why)
            continue
        values = {"owner_id": user_id}
        if rule.team_id is not None and rule.team_id != row["team_id"]:
            values.update(_moved_to_team(session, rule.team_id, row["stage_id"]))
        _conn(session).execute(update(t).where(t.c.id == lead_id).values(**values))
        record_event(session, "assign", "Lead", lead_id,
                     {"rule_id": rule.id, "rule": rule.name, "user_id": user_id,
                      "team_id": values.get("team_id")})
        return Outcome(lead_id, user_id, rule.id, f"assigned by rule '{rule.name}'")
    return Outcome(lead_id, None, None, "; ".join(reasons) or NO_RULE)


def _moved_to_team(session: Session, team_id: int, stage_id: int | None) -> dict:
    """A lead handed to another team leaves a stage that is not in that
    team's pipeline for the team's first stage (as stage_moves does for new leads)."""
    values = {"team_id": team_id}
    if stage_id not in {s.id for s in pipeline_of(session, team_id)}:
        stage = first_stage(session, team_id)
        if stage is not None:
            values.update(stage_id=stage.id, probability=stage.probability)
    return values


def assign_lead(session: Session, lead: Lead) -> Outcome:
    """See the module docstring. Flushes; never commits."""
    session.flush()
    outcome = _assign_id(session, lead.id)
    if outcome.user_id is not None:
        _sync_object(session, lead)
        session.expire(lead, ["owner", "team", "stage"])
    return outcome


def _sync_object(session: Session, lead: Lead) -> None:
    """Tell the loaded Lead what the Core UPDATE wrote, as stored values (so
    no later flush writes them again, and record rules do not re-check them)."""
    t = Lead.__table__
    row = _conn(session).execute(
        select(t.c.owner_id, t.c.team_id, t.c.stage_id, t.c.probability)
        .where(t.c.id == lead.id)).one()
    for column, value in row._mapping.items():
        attributes.set_committed_value(lead, column, value)


def _unassigned_ids(session: Session, limit: int | None) -> list[int]:
    t = Lead.__table__
    # leads and opportunities alike, as on creation (served by the owner/status index)
    stmt = (select(t.c.id).where(t.c.owner_id.is_(None), t.c.status == OPEN)
            .order_by(t.c.id))
    if limit:
        stmt = stmt.limit(limit)
    return list(_conn(session).scalars(stmt))


def assign_unassigned(session: Session, *, limit: int | None = None) -> RunResult:
    """See the module docstring. Commits after each lead."""
    ids = _unassigned_ids(session, limit)
    session.commit()
    result = RunResult()
    for lead_id in ids:
        for attempt in range(SQLITE_RETRIES):
            try:
                outcome = _assign_id(session, lead_id)
                session.commit()
                break
            except OperationalError as exc:
                # SQLite: another writer committed after this transaction's
                # snapshot began ("database is locked"): start over on this lead
                session.rollback()
                if session.get_bind().dialect.name != "sqlite" or \
                        attempt == SQLITE_RETRIES - 1:
                    raise
                log.info("assignment of lead %s retried: %s", lead_id, exc)
                time.sleep(0.01 * (attempt + 1))
        (result.assigned if outcome.user_id else result.unassigned).append(outcome)
    return result


def take_write_lock_first(session: Session, flush_context, instances) -> None:
    """SQLite, BEGIN IMMEDIATE semantics for a flush creating unowned leads:
    take the write lock before the other before_flush listeners read (stage,
    score), or, another writer committing meanwhile, the INSERT would fail
    with "database is locked" instead of waiting its turn."""
    if not any(isinstance(o, Lead) and o.owner_id is None for o in session.new):
        return
    conn = _conn(session)
    if conn.dialect.name == "sqlite":
        t = AssignmentRule.__table__
        conn.execute(update(t).where(t.c.id == -1).values(pointer=t.c.pointer))


def assign_new_leads(session: Session, flush_context) -> None:
    """The creation hook: assign the open leads this flush inserted without owner."""
    for lead in [obj for obj in session.new if isinstance(obj, Lead)]:
        if lead.owner_id is not None or lead.status not in (None, OPEN) or lead.id is None:
            continue
        outcome = _assign_id(session, lead.id)
        if outcome.user_id is not None:
            _sync_object(session, lead)
            session.info.setdefault(_ASSIGNED, []).append(lead)
        else:
            log.info("lead %s left unassigned: %s", lead.id, outcome.message)


def reload_assigned_leads(session: Session, flush_context) -> None:
    # relationships loaded as "no owner" before the flush would hide the new owner
    for lead in session.info.pop(_ASSIGNED, []):
        session.expire(lead, ["owner", "team", "stage"])


_ASSIGNED = "sales_assigned_leads"


@click.command("assign")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="At most this many leads (oldest first).")
def assign_command(limit: int | None) -> None:
    """Assign the open unassigned leads by the assignment rules."""
    from core.db import db

    with acting_as(SYSTEM):
        result = assign_unassigned(db.session, limit=limit)
    for outcome in result.assigned:
        click.echo(f"lead {outcome.lead_id}: user {outcome.user_id} ({outcome.message})")
    for outcome in result.unassigned:
        click.echo(f"lead {outcome.lead_id}: unassigned ({outcome.message})")
    click.echo(result.summary())
