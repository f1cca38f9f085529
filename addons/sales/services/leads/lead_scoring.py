"""Lead scoring (线索评分): a lead's score is the sum of the active rules that
apply to it (models/scoring_rule.py):

- field rules: `points` when the field has the rule's value (source, region,
  country_code, priority, tag; compared case-insensitively) or, for has_email,
  has_phone and has_company (a linked company or a typed company name), when
  it is filled;
- activity rules: `points` per done activity of the rule's kind on the lead.

The one place that computes it is `score_of`; the one trigger is the
before_flush listener `rescore_changed_leads` (registered by listeners.py):
new or changed leads, and the leads of new, changed or deleted activities,
are rescored in the flush that changes them (the activities addon and the
assignment rules need no call, and read Lead.score). A change of the rules rescores every lead (`rescore_all`),
which the rules screen calls after saving.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from core.security.audit import record_event

from ...models import Activity, Lead, ScoringRule
from ...models.scoring_rule import ACTIVITY, ACTIVITY_KINDS, FIELD, FIELDS, VALUED_FIELDS

WHOLE_BASE = {"skip_record_rules": True}  # a score counts every activity, whoever owns it
CHUNK = 1000


def active_rules(session: Session) -> list[ScoringRule]:
    return list(session.scalars(select(ScoringRule).where(ScoringRule.active)
                                .order_by(ScoringRule.id), execution_options=WHOLE_BASE))


def _text(value) -> str:
    return "" if value is None else str(value).strip().lower()


def _field_matches(rule: ScoringRule, lead: Lead, tag_names) -> bool:
    name = rule.field
    if name == "has_email":
        return bool((lead.email or "").strip())
    if name == "has_phone":
        return bool((lead.phone or "").strip())
    if name == "has_company":
        # the columns first: the relationship would load the company row
        return (lead.company_id is not None or bool((lead.company_name or "").strip())
                or lead.company is not None)
    if name == "tag":
        return _text(rule.value) in {_text(t) for t in tag_names()}
    return _text(getattr(lead, name, None)) == _text(rule.value) != ""


def score_of(lead: Lead, rules: Iterable[ScoringRule], done: Counter) -> int:
    """The lead's score under `rules`, given its done activities per kind."""
    total = 0
    tags = None

    def tag_names():
        nonlocal tags
        if tags is None:
            tags = [t.name for t in lead.tags]
        return tags
    for rule in rules:
        if rule.kind == FIELD and _field_matches(rule, lead, tag_names):
            total += rule.points
        elif rule.kind == ACTIVITY and rule.activity_kind:
            total += rule.points * done.get(rule.activity_kind, 0)
    return total


def done_counts(session: Session, lead_ids: Iterable[int],
                pending: Iterable[Activity] = ()) -> dict[int, Counter]:
    """lead id -> done activities per kind: the stored ones, with the session's
    unflushed activities (`pending`: new, changed or deleted) in their new state."""
    ids = sorted({i for i in lead_ids if i is not None})
    pending = list(pending)
    skip = [a.id for a in pending if a.id is not None]
    counts: dict[int, Counter] = defaultdict(Counter)
    for start in range(0, len(ids), CHUNK):
        stmt = (select(Activity.lead_id, Activity.kind, func.count())
                .where(Activity.lead_id.in_(ids[start:start + CHUNK]),
                       Activity.done_at.is_not(None))
                .group_by(Activity.lead_id, Activity.kind))
        if skip:
            stmt = stmt.where(Activity.id.not_in(skip))
        for lead_id, kind, n in session.execute(stmt, execution_options=WHOLE_BASE):
            counts[lead_id][kind] += n
    deleted = set(map(id, getattr(session, "deleted", ())))
    for activity in pending:
        lead_id = _lead_id_of(activity)
        if lead_id is not None and activity.done_at is not None and id(activity) not in deleted:
            counts[lead_id][activity.kind] += 1
    return counts


def _lead_id_of(activity: Activity) -> int | None:
    return activity.lead.id if activity.lead is not None else activity.lead_id


def rescore_all(session: Session) -> int:
    """Rescore every lead (after the rules changed); returns how many changed.
    Plain UPDATEs by id: the score is derived, so neither the record rules (a
    manager's rule change rescores other teams' leads too) nor the row audit
    apply; one `rescore` event is audited instead."""
    rules = active_rules(session)
    changed, last = 0, 0
    stmt = select(Lead).order_by(Lead.id).limit(CHUNK)
    if any(r.kind == FIELD and r.field == "tag" for r in rules):
        stmt = stmt.options(selectinload(Lead.tags))  # one query per chunk, not per lead
    while True:
        leads = list(session.scalars(stmt.where(Lead.id > last), execution_options=WHOLE_BASE))
        if not leads:
            break
        last = leads[-1].id
        counts = done_counts(session, [lead.id for lead in leads])
        for lead in leads:
            score = score_of(lead, rules, counts.get(lead.id, Counter()))
            if score != lead.score:
                session.execute(update(Lead.__table__).where(Lead.__table__.c.id == lead.id)
                                .values(score=score))
                session.expire(lead, ["score"])
                changed += 1
    record_event(session, "rescore", "Lead", None, {"changed": changed, "rules": len(rules)})
    return changed


def rescore_changed_leads(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): rescore the leads this flush touches."""
    touched = [o for o in (*session.new, *session.dirty) if isinstance(o, Lead)]
    activities = [o for o in (*session.new, *session.dirty, *session.deleted)
                  if isinstance(o, Activity)]
    if not touched and not activities:
        return
    leads = {id(lead): lead for lead in touched if lead not in session.deleted}
    for activity in activities:
        lead = activity.lead
        if lead is None and activity.lead_id is not None:
            lead = session.scalars(select(Lead).where(Lead.id == activity.lead_id),
                                   execution_options=WHOLE_BASE).first()
        if lead is not None and lead not in session.deleted:
            leads[id(lead)] = lead
    if not leads:
        return
    rules = active_rules(session)
    if not rules and all(lead.score in (0, None) for lead in leads.values()):
        return
    counts = done_counts(session, [lead.id for lead in leads.values()], activities)
    for lead in leads.values():
        score = score_of(lead, rules, counts.get(lead.id, Counter()) if lead.id else Counter())
        if lead.score != score:
            lead.score = score


class ScoringRuleError(ValueError):
    """A rule that cannot be applied; the message names the field."""


def check_rule(rule: ScoringRule) -> None:
    """Refuse a rule the scoring cannot apply (screen and any other writer)."""
    if rule.kind not in (FIELD, ACTIVITY):
        raise ScoringRuleError(gettext("kind: must be '%(field)s' or '%(activity)s', not %(kind)r",
                                       field=FIELD, activity=ACTIVITY, kind=rule.kind))
    if rule.points is None:
        raise ScoringRuleError(gettext("points: a number is required"))
    if rule.kind == FIELD:
        if rule.field not in FIELDS:
            raise ScoringRuleError(gettext("field: one of %(fields)s", fields=", ".join(FIELDS)))
        if rule.field in VALUED_FIELDS and not (rule.value or "").strip():
            raise ScoringRuleError(gettext("value: required for a rule on %(field)s",
                                           field=rule.field))
        rule.activity_kind = None
    else:
        if rule.activity_kind not in ACTIVITY_KINDS:
            raise ScoringRuleError(gettext("activity kind: one of %(kinds)s",
                                           kinds=", ".join(ACTIVITY_KINDS)))
        rule.field, rule.value = None, None
