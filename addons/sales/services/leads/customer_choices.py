"""Contacts offered by a lead's customer pickers: ~20 matches for what the
user typed (the contacts search index), and the one contact a form names by
id. ORM queries, so the record rules decide what the user may pick."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company, Person
from addons.contacts.services.search.company_choices import (first_matches,
                                                             matching_companies,
                                                             readable_company)

LIMIT = 20
__all__ = ["matching_companies", "matching_people", "readable_company", "readable_person"]


def matching_people(session: Session, text: str, limit: int = LIMIT) -> list[dict]:
    """At most `limit` {id, text} for people matching `text` ("name (company)")."""
    stmt = first_matches(session, Person, "person", text, limit)
    if stmt is None:
        return []
    rows = session.execute(
        stmt.with_only_columns(Person.id, Person.name, Company.name.label("company"))
        .outerjoin(Company, Company.id == Person.company_id)).all()
    return [{"id": r.id, "text": f"{r.name} ({r.company})" if r.company else r.name}
            for r in rows]


def readable_person(session: Session, person_id) -> Person | None:
    """The person with this id if the user may read them, else None."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        return None
    return session.scalars(select(Person).where(Person.id == pk)).first()
