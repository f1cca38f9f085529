"""Companies offered by a person's company picker: a few matches for what
the user typed, and the one company a form names by id. Both go through ORM
queries, so the record rules (in the session) decide what the user may pick."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Company
from .scoped import reader_search

LIMIT = 20


def first_matches(session: Session, model, kind: str, text: str, limit: int):
    """A SELECT narrowed to the first `limit` `kind` contacts (by name) matching
    `text` for the current reader, or None for an empty query; the caller
    picks the columns (services/search/scoped.py, record rules applied)."""
    search = reader_search(session, kind, text)
    if search is None:
        return None
    ids = search.leading(limit)
    narrowed = model.id.in_(ids) if ids is not None else search.filter()
    return select(model).where(narrowed).order_by(model.name, model.id).limit(limit)


def matching_companies(session: Session, text: str, limit: int = LIMIT) -> list[dict]:
    """At most `limit` {id, text} for companies whose name, e-mail or phone
    contains `text` (the contacts search), first by name; none for an empty query."""
    stmt = first_matches(session, Company, "company", text, limit)
    if stmt is None:
        return []
    rows = session.execute(stmt.with_only_columns(Company.id, Company.name)).all()
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
