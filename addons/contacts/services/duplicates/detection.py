"""Duplicate detection: which existing contacts a new or edited one repeats.

Two kinds of match:
- exact: the same normalised e-mail, E.164 phone or (companies) tax id;
- likely: a similar name (see rules/name_similarity.py) within the same company
  (people) or sharing a non-free e-mail domain.

Lookups cover the WHOLE base, not only what the actor's record rules show
(otherwise a salesperson re-creates a colleague's customer): the queries run
with the session option `skip_record_rules`. `core.security.actor.acting_as`
cannot do that inside a request, where the logged-in user always wins. What a
match reveals of a contact the actor cannot read is its name and its owner's
user name only (`visible` is False; screens then show no link, APIs no id).

Interface for the form/REST checks, the import and the groups screen:

`find_exact(session, kind, *, emails=(), phones=(), tax_ids=(), exclude_id=None)
-> list[DuplicateMatch]`
    kind is "company" or "person"; the values are already-normalised keys
    (normalise_email, E.164, normalise_tax_id). People have no tax id. One
    match per (contact, key type, key), ordered by contact id.

`exact_index(session, kind, *, emails, phones, tax_ids)
-> dict[tuple[str, str], list[int]]`
    ("email"|"phone"|"tax_id", key) -> ids of existing contacts, for bulk
    checks (an import of 100,000 rows): chunked IN queries, no query per row,
    no visibility check (the caller decides what to show).

`find_likely(session, kind, name, *, company_id=None, email_domains=(),
exclude_id=None, limit=10) -> list[DuplicateMatch]`
    contacts with a similar name (matched_on "name", value: the stored name)
    among the people of `company_id` or the contacts having an e-mail at one of
    `email_domains` (free mail domains are ignored), best first.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Company, ContactEmail, ContactPhone, Person
from ...rules.name_similarity import is_free_mail_domain, is_likely, name_key, name_similarity
from ..search.matching import search_ids

COMPANY, PERSON = "company", "person"
KINDS = {COMPANY: Company, PERSON: Person}
CHUNK = 500  # keys per IN (...): well under SQLite's and PostgreSQL's parameter limits
CANDIDATES = 2000  # names compared per likely lookup; a bigger company is cut here
WHOLE_BASE = {"skip_record_rules": True}


@dataclass(frozen=True)
class DuplicateMatch:
    kind: str
    contact_id: int
    name: str
    matched_on: str  # "email" | "phone" | "tax_id" | "name"
    value: str
    owner_name: str | None
    visible: bool  # whether the current actor may read the contact


def model_of(kind: str):
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"kind must be 'company' or 'person', not {kind!r}") from None


def _parent_column(table, kind: str):
    return table.company_id if kind == COMPANY else table.person_id


def _key_lookups(kind: str, emails, phones, tax_ids):
    """(key type, keys, key column, contact id column) per key type."""
    lookups = [("email", emails, ContactEmail.normalised, _parent_column(ContactEmail, kind)),
               ("phone", phones, ContactPhone.e164, _parent_column(ContactPhone, kind))]
    if kind == COMPANY:
        lookups.append(("tax_id", tax_ids, Company.tax_id_normalised, Company.id))
    return lookups


def _chunks(values: Iterable[str]):
    values = sorted({v for v in values if v})
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def exact_index(session: Session, kind: str, *, emails, phones, tax_ids
                ) -> dict[tuple[str, str], list[int]]:
    """(key type, key) -> ids of existing contacts holding it, whole base."""
    model_of(kind)
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for key_type, values, column, parent in _key_lookups(kind, emails, phones, tax_ids):
        for chunk in _chunks(values):
            stmt = (select(column, parent).where(column.in_(chunk), parent.is_not(None))
                    .order_by(parent))
            for key, contact_id in session.execute(stmt, execution_options=WHOLE_BASE):
                ids = index[(key_type, key)]
                if contact_id not in ids:
                    ids.append(contact_id)
    return dict(index)


def _contacts(session: Session, kind: str, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """id -> (name, owner's user name), whole base."""
    model = model_of(kind)
    found = {}
    for chunk in _chunks(str(i) for i in ids):
        stmt = (select(model.id, model.name, User.username)
                .outerjoin(User, User.id == model.owner_id)
                .where(model.id.in_([int(i) for i in chunk])))
        for contact_id, name, owner in session.execute(stmt, execution_options=WHOLE_BASE):
            found[contact_id] = (name, owner)
    return found


def readable_ids(session: Session, kind: str, ids: Iterable[int]) -> set[int]:
    """Those of `ids` the current actor's record rules let them read."""
    model = model_of(kind)
    readable = set()
    for chunk in _chunks(str(i) for i in ids):
        readable.update(session.scalars(
            select(model.id).where(model.id.in_([int(i) for i in chunk]))))
    return readable


def _matches(session: Session, kind: str, hits: list[tuple[int, str, str]]) -> list[DuplicateMatch]:
    """DuplicateMatch per (contact id, matched on, value), with name, owner, visibility."""
    ids = {contact_id for contact_id, _, _ in hits}
    contacts = _contacts(session, kind, ids)
    visible = readable_ids(session, kind, ids)
    return [DuplicateMatch(kind, contact_id, contacts[contact_id][0], matched_on, value,
                           contacts[contact_id][1], contact_id in visible)
            for contact_id, matched_on, value in hits if contact_id in contacts]


def find_exact(session: Session, kind: str, *, emails=(), phones=(), tax_ids=(),
               exclude_id: int | None = None) -> list[DuplicateMatch]:
    """Existing contacts sharing one of these normalised keys (whole base)."""
    index = exact_index(session, kind, emails=emails, phones=phones, tax_ids=tax_ids)
    hits = sorted({(contact_id, key_type, key)
                   for (key_type, key), ids in index.items()
                   for contact_id in ids if contact_id != exclude_id})
    return _matches(session, kind, hits)


def email_domain(normalised_email: str) -> str:
    return normalised_email.rpartition("@")[2]


def _candidates_in_company(session: Session, company_id: int) -> list[tuple[int, str]]:
    stmt = (select(Person.id, Person.name).where(Person.company_id == company_id)
            .order_by(Person.id).limit(CANDIDATES))
    return list(session.execute(stmt, execution_options=WHOLE_BASE))


def _candidates_at_domain(session: Session, kind: str, domain: str) -> list[tuple[int, str]]:
    model = model_of(kind)
    parent = _parent_column(ContactEmail, kind)
    # a suffix LIKE alone scans every e-mail; the search index (trigrams over
    # the e-mails, services/search/matching.py) narrows the contacts first
    stmt = (select(model.id, model.name).join(ContactEmail, parent == model.id)
            .where(model.id.in_(search_ids(session, kind, "@" + domain)),
                   ContactEmail.normalised.like(f"%@{domain}"))
            .distinct().order_by(model.id).limit(CANDIDATES))
    return list(session.execute(stmt, execution_options=WHOLE_BASE))


def find_likely(session: Session, kind: str, name: str, *, company_id: int | None = None,
                email_domains: Iterable[str] = (), exclude_id: int | None = None,
                limit: int = 10) -> list[DuplicateMatch]:
    """Contacts with a similar name in the same company or e-mail domain, best first."""
    model_of(kind)
    key = name_key(name, kind)
    if not key:
        return []
    candidates: dict[int, str] = {}
    if kind == PERSON and company_id is not None:
        candidates.update(_candidates_in_company(session, company_id))
    for domain in sorted({d.lower() for d in email_domains if d}):
        if not is_free_mail_domain(domain):
            candidates.update(_candidates_at_domain(session, kind, domain))
    scored = []
    for contact_id, other in candidates.items():
        if contact_id == exclude_id:
            continue
        other_key = name_key(other, kind)
        if is_likely(key, other_key):
            scored.append((-name_similarity(key, other_key), contact_id, other))
    scored.sort()
    hits = [(contact_id, "name", other) for _, contact_id, other in scored[:limit]]
    return _matches(session, kind, hits)
