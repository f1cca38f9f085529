"""The duplicate policy (warn or block on an exact match) and dismissed pairs."""
from __future__ import annotations

from itertools import combinations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.security.actor import current_actor

from ...models import ContactDuplicateDismissal, ContactDuplicateSetting
from ...models.duplicate_setting import BLOCK, POLICIES, WARN  # noqa: F401  (re-exported)
from ...rules.field_error import ContactFieldError


def current_policy(session: Session) -> str:
    """"warn" (the default, also when no admin chose yet) or "block"."""
    stored = session.scalar(select(ContactDuplicateSetting.policy)
                            .order_by(ContactDuplicateSetting.id).limit(1))
    return stored if stored in POLICIES else WARN


def set_policy(session: Session, policy: str) -> None:
    """Store the policy (audited as an update of the setting row); the caller commits."""
    if policy not in POLICIES:
        raise ContactFieldError("policy", f"must be one of {', '.join(POLICIES)}, not {policy!r}")
    row = session.scalar(select(ContactDuplicateSetting).order_by(ContactDuplicateSetting.id)
                         .limit(1))
    if row is None:
        row = ContactDuplicateSetting()
        session.add(row)
    row.policy = policy
    session.flush()


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def dismiss(session: Session, kind: str, ids) -> int:
    """Mark every pair among `ids` "not a duplicate"; returns how many pairs were new."""
    known = dismissed_pairs(session, kind, ids)
    new = [_pair(a, b) for a, b in combinations(sorted(set(ids)), 2)
           if _pair(a, b) not in known]
    user_id = current_actor().user_id
    session.add_all(ContactDuplicateDismissal(kind=kind, first_id=a, second_id=b,
                                              dismissed_by_id=user_id) for a, b in new)
    session.flush()
    return len(new)


def dismissed_pairs(session: Session, kind: str, ids) -> set[tuple[int, int]]:
    """The dismissed (smaller id, larger id) pairs among `ids`."""
    ids = sorted(set(ids))
    if len(ids) < 2:
        return set()
    rows = session.execute(select(ContactDuplicateDismissal.first_id,
                                  ContactDuplicateDismissal.second_id)
                           .where(ContactDuplicateDismissal.kind == kind,
                                  ContactDuplicateDismissal.first_id.in_(ids),
                                  ContactDuplicateDismissal.second_id.in_(ids)))
    return {(a, b) for a, b in rows}


def all_dismissed(ids, pairs: set[tuple[int, int]]) -> bool:
    """Whether every pair among `ids` was dismissed (the group is then hidden)."""
    return all(_pair(a, b) in pairs for a, b in combinations(sorted(set(ids)), 2))


def forget_dismissals(session: Session, kind: str, ids) -> None:
    """Drop the dismissals that name any of `ids` (contacts about to be deleted)."""
    ids = list(ids)
    session.execute(delete(ContactDuplicateDismissal).where(
        ContactDuplicateDismissal.kind == kind,
        or_(ContactDuplicateDismissal.first_id.in_(ids),
            ContactDuplicateDismissal.second_id.in_(ids))))
