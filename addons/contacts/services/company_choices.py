"""Companies offered by a person's company picker: a few matches for what
the user typed, and the one company a form names by id. Both go through ORM
queries, so the record rules (in the session) decide what the user may pick."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Company
from .contact_search import search_ids

LIMIT = 20


def matching_companies(session: Session, text: str, limit: int = LIMIT) -> list[dict]:
    """At most `limit` {id, text} for companies whose name, e-mail or phone
    contains `text` (the contacts search index); none for an empty query."""
    ids = search_ids(session, "company", text)
    if ids is None:
        return []
    # lower(name), not name: with the name index PostgreSQL walks all companies
    # in name order looking for 20 matches (1.5 s for an admin's "深圳" among
    # 400,000); sorting only the matches stays under ~0.5 s even for "co"
    rows = session.execute(
        select(Company.id, Company.name)
        .where(Company.id.in_(ids.scalar_subquery()))
        .order_by(func.lower(Company.name), Company.id)
        .limit(limit)).all()
    return [{"id": row.id, "text": row.name} for row in rows]


def readable_company(session: Session, company_id) -> Company | None:
    """The company with this id if the user may read it, else None (also for
    an id that is not a number)."""
    try:
        pk = int(company_id)
    except (TypeError, ValueError):
        return None
    # an ORM select, not session.get(): get() may answer from the identity
    # map without running the statement the record rules filter
    return session.scalars(select(Company).where(Company.id == pk)).first()
