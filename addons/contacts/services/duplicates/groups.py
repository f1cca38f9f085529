"""Duplicate groups across the base, a page at a time, for the groups screen.

Unlike the save-time check, this lists contacts, so it stays within what the
reader may see: every query joins the Company/Person entity, whose record
rules the session applies (a manager sees groups among the team's contacts).

- by e-mail, phone or tax id: GROUP BY the indexed normalised column, HAVING
  more than one contact, ordered by key, LIMIT/OFFSET;
- by name: people of one company (a page of companies having 2+ people), or
  companies sharing a non-free e-mail domain (a page of domains); names are
  then compared in Python (rules/name_similarity.py), so a page may hold fewer
  groups than companies/domains it looked at.
Groups whose every pair was dismissed ("not a duplicate") are left out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Company, ContactEmail, ContactPhone, Person
from ...rules.name_similarity import FREE_MAIL_DOMAINS, is_likely, name_key
from .detection import COMPANY, PERSON, model_of
from .policy import all_dismissed, dismissed_pairs

BY_KEY = ("email", "phone", "tax_id")
BY_NAME = "name"
PAGE_SIZE = 50


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str
    by: str  # email / phone / tax_id / name
    key: str  # the shared key, or the company / domain the names share
    members: tuple[tuple[int, str], ...]  # (contact id, name), by id

    @property
    def ids(self) -> list[int]:
        return [contact_id for contact_id, _ in self.members]


def _key_column(kind: str, by: str):
    """(key column, contact id column) joined to the contact entity by the caller."""
    if by == "email":
        return ContactEmail.normalised, (ContactEmail.company_id if kind == COMPANY
                                         else ContactEmail.person_id)
    if by == "phone":
        return ContactPhone.e164, (ContactPhone.company_id if kind == COMPANY
                                   else ContactPhone.person_id)
    if by == "tax_id" and kind == COMPANY:
        return Company.tax_id_normalised, Company.id
    raise ValueError(f"no duplicate groups of {kind} by {by!r}")


def _members(session, kind, key_col, parent, keys) -> dict[str, list[tuple[int, str]]]:
    model = model_of(kind)
    stmt = select(key_col, model.id, model.name).where(key_col.in_(keys))
    if parent is not model.id:
        stmt = stmt.join(model, parent == model.id)
    found: dict[str, dict[int, str]] = defaultdict(dict)
    for key, contact_id, name in session.execute(stmt.order_by(model.id)):
        found[key][contact_id] = name
    return {k: sorted(v.items()) for k, v in found.items()}


def exact_groups(session: Session, kind: str, by: str, page: int = 0,
                 page_size: int = PAGE_SIZE) -> list[DuplicateGroup]:
    """One page of groups of readable contacts sharing a normalised key."""
    model = model_of(kind)
    key_col, parent = _key_column(kind, by)
    stmt = select(key_col).where(key_col.is_not(None))
    if parent is not model.id:
        stmt = stmt.join(model, parent == model.id)
    stmt = (stmt.group_by(key_col).having(func.count(func.distinct(model.id)) > 1)
            .order_by(key_col).limit(page_size).offset(page * page_size))
    keys = list(session.scalars(stmt))
    members = _members(session, kind, key_col, parent, keys) if keys else {}
    groups = [DuplicateGroup(kind, by, key, tuple(members[key]))
              for key in keys if len(members.get(key, ())) > 1]
    return _without_dismissed(session, kind, groups)


def _domain(session: Session):
    """The domain part of ContactEmail.normalised, in the database's own functions."""
    column = ContactEmail.normalised
    if session.get_bind().dialect.name == "postgresql":
        return func.split_part(column, "@", 2)
    return func.substr(column, func.instr(column, "@") + 1)


def _clusters(kind: str, members: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Members joined when their names are likely the same (transitively)."""
    keys = [(contact_id, name, name_key(name, kind)) for contact_id, name in members]
    parent = {contact_id: contact_id for contact_id, _, _ in keys}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, (a, _, a_key) in enumerate(keys):
        for b, _, b_key in keys[n + 1:]:
            if is_likely(a_key, b_key):
                parent[root(b)] = root(a)
    clusters: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for contact_id, name, _ in keys:
        clusters[root(contact_id)].append((contact_id, name))
    return [sorted(c) for c in clusters.values() if len(c) > 1]


def likely_groups(session: Session, kind: str, page: int = 0,
                  page_size: int = PAGE_SIZE) -> list[DuplicateGroup]:
    """Groups of readable contacts with likely-equal names: people per company,
    companies per shared e-mail domain. One page of companies / domains."""
    if kind == PERSON:
        scope = Person.company_id
        stmt = (select(scope).where(scope.is_not(None)).group_by(scope)
                .having(func.count(Person.id) > 1).order_by(scope)
                .limit(page_size).offset(page * page_size))
        scopes = list(session.scalars(stmt))
        rows = session.execute(select(Person.company_id, Person.id, Person.name)
                               .where(Person.company_id.in_(scopes))) if scopes else []
        names = dict(session.execute(select(Company.id, Company.name)
                                     .where(Company.id.in_(scopes))).all()) if scopes else {}
    else:
        domain = _domain(session).label("domain")
        stmt = (select(domain).join(Company, ContactEmail.company_id == Company.id)
                .where(domain.not_in(sorted(FREE_MAIL_DOMAINS)))
                .group_by(domain).having(func.count(func.distinct(Company.id)) > 1)
                .order_by(domain).limit(page_size).offset(page * page_size))
        scopes = list(session.scalars(stmt))
        rows = session.execute(select(domain, Company.id, Company.name)
                               .join(Company, ContactEmail.company_id == Company.id)
                               .where(domain.in_(scopes)).distinct()) if scopes else []
        names = {d: "@" + d for d in scopes}
    members: dict = defaultdict(dict)
    for scope_key, contact_id, name in rows:
        members[scope_key][contact_id] = name
    groups = []
    for scope_key in scopes:
        for cluster in _clusters(kind, sorted(members[scope_key].items())):
            groups.append(DuplicateGroup(kind, BY_NAME,
                                         str(names.get(scope_key, scope_key)), tuple(cluster)))
    return _without_dismissed(session, kind, groups)


def _without_dismissed(session: Session, kind: str, groups: list[DuplicateGroup]):
    ids = {i for g in groups for i in g.ids}
    pairs = dismissed_pairs(session, kind, ids)
    return [g for g in groups if not all_dismissed(g.ids, pairs)]
