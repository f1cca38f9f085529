"""Which SLA policy a ticket runs under: the active policies of its team
first, then those for every team, each by sequence; the first whose
conditions all hold (priority, type, one of the ticket's tags, the
customer's tier; an empty condition holds for any ticket) wins."""
from __future__ import annotations

from sqlalchemy import nulls_last, or_, select
from sqlalchemy.orm import Session

from ...models import SlaPolicy, Ticket


def _tier_id(ticket: Ticket) -> int | None:
    for contact in (ticket.company, ticket.person):
        if contact is not None and contact.tier_id is not None:
            return contact.tier_id
    return None


def matches(policy: SlaPolicy, ticket: Ticket, tag_ids: set[int], tier_id: int | None) -> bool:
    return ((policy.priority is None or policy.priority == ticket.priority)
            and (not policy.ticket_type or policy.ticket_type == ticket.ticket_type)
            and (policy.tag_id is None or policy.tag_id in tag_ids)
            and (policy.tier_id is None or policy.tier_id == tier_id))


def policy_for(session: Session, ticket: Ticket) -> SlaPolicy | None:
    candidates = session.scalars(
        select(SlaPolicy).where(SlaPolicy.active,
                                or_(SlaPolicy.team_id.is_(None), SlaPolicy.team_id == ticket.team_id))
        .order_by(nulls_last(SlaPolicy.team_id), SlaPolicy.sequence, SlaPolicy.id)).all()
    tags, tier = {t.id for t in ticket.tags}, _tier_id(ticket)
    return next((p for p in candidates if matches(p, ticket, tags, tier)), None)
