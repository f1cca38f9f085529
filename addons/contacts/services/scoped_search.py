"""The reader's search: the contacts of one kind matching a term, among those
the reader may read, in list order (name, id), counted up to the list cap.

    found = find(session, "person", "王")   # None for an empty term
    found.ids      # every match in (name, id) order, or its first `cap` when
                   # capped; None for a broad term in a large scope (see 3.)
    found.count    # matches, at most cap; found.capped: more than cap

A list page then reads its 25 rows by id, and the count is known: no query
materialises every match and joins it back (services/search_filter.py).
Three paths, chosen by what the index says and how many rows the reader may
read (the record rules, applied by the session as on every ORM query):

1. few candidates (the index returns at most half the reader's scope): read
   those candidates with their contact row, check each (services/
   contact_search.py `contains`), record rules applied, sorted by name;
2. many candidates, small scope (a salesperson and "163.com", "m"): walk the
   reader's own rows in name order through the (owner_id, name, id) index,
   checking each, so the search never reads more rows than the reader owns;
3. a reader of every row (admin, read-only roles): the candidates are checked
   in the side table alone, which holds the name to sort by; more than `cap`
   of them and the count is "cap+", and the list walks the name index with
   the check as a filter (`walk_filter`), which stops at the page's last row
   (a term matching over 1 in 60 rows of a million: a few hundred rows).

A term the index cannot answer (1-2 characters that are not letters or
digits, like "%") takes path 2, or 3's walk for a reader of every row.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.security.actor import current_actor
from core.security.record_rules import ruled_models, scope_for
from core.views.capped_count import count_cap

from .contact_search import MODELS, SIDE_TABLES, Match, candidates, contains, match_for


@dataclass(frozen=True)
class Found:
    match: Match
    ids: tuple[int, ...] | None
    count: int
    capped: bool


def _reads_everything(model) -> bool:
    """No record rule narrows what the current actor reads of `model`."""
    return model not in ruled_models() or scope_for(model, current_actor(), "read") == "all"


def _count(session: Session, stmt, limit: int) -> int:
    """Rows of `stmt`, counted up to `limit`."""
    return session.execute(
        select(func.count()).select_from(stmt.limit(limit).subquery())).scalar_one()


def walk_filter(dialect: str, kind: str, match: Match):
    """The match as a filter on the contact's own rows (a correlated lookup
    of its index row): for queries that walk contacts in name order."""
    side, model = SIDE_TABLES[kind], MODELS[kind]
    value = select(side.c[match.column]).where(side.c.contact_id == model.id).scalar_subquery()
    return contains(dialect, value, match.needle)


def _listed(ids: list[int], match: Match, cap: int) -> Found:
    return Found(match, tuple(ids[:cap]), min(len(ids), cap), len(ids) > cap)


def _everything(session: Session, dialect: str, kind: str, match: Match, cap: int) -> Found:
    """Path 3: a reader of every row; the side table alone, no rules to apply."""
    side = SIDE_TABLES[kind]
    found = candidates(dialect, kind, match)
    exact = dialect != "sqlite" or len(match.needle) == 3  # one trigram: no superset
    if exact and _count(session, found, cap + 1) > cap:
        return Found(match, None, cap, True)
    found = found.subquery()
    checked = (select(side.c.contact_id, side.c.name)
               .where(side.c.contact_id == found.c.contact_id,
                      contains(dialect, side.c[match.column], match.needle))
               .limit(cap + 1).subquery())
    ids = list(session.scalars(select(checked.c.contact_id)
                               .order_by(checked.c.name, checked.c.contact_id)))
    if len(ids) > cap:
        return Found(match, None, cap, True)
    return _listed(ids, match, cap)


def find(session: Session, kind: str, text: str, cap: int | None = None) -> Found | None:
    """The current reader's matches for `text` (see the module docstring)."""
    match = match_for(text)
    if match is None:
        return None
    cap = count_cap() if cap is None else cap
    key = (kind, match, cap, current_actor())
    cached = g.get("_contacts_found", {}).get(key) if has_request_context() else None
    if cached is not None:
        return cached
    found = _find(session, kind, match, cap)
    if has_request_context():
        g.setdefault("_contacts_found", {})[key] = found
    return found


def _find(session: Session, kind: str, match: Match, cap: int) -> Found:
    dialect = session.get_bind().dialect.name
    model, side = MODELS[kind], SIDE_TABLES[kind]
    everything = _reads_everything(model)
    if everything and match.indexed:
        return _everything(session, dialect, kind, match, cap)
    in_order = select(model.id).order_by(model.name, model.id).limit(cap + 1)
    if match.indexed and not everything:
        # the record rules narrow `model` in these ORM queries, as in the list's own
        scope = _count(session, select(model.id), 2 * cap + 2)
        found = candidates(dialect, kind, match)
        if _count(session, found, scope // 2 + 1) <= scope // 2:  # path 1
            checked = select(side.c.contact_id).where(
                side.c.contact_id.in_(found.scalar_subquery()),
                contains(dialect, side.c[match.column], match.needle))
            return _listed(list(session.scalars(in_order.where(model.id.in_(checked)))),
                           match, cap)
    if everything:  # 3's walk for a term no index answers: the list walks too
        return Found(match, None, *_walked_count(session, dialect, kind, match, cap))
    return _listed(list(session.scalars(in_order.where(walk_filter(dialect, kind, match)))),
                   match, cap)  # path 2


def _walked_count(session: Session, dialect: str, kind: str, match: Match,
                  cap: int) -> tuple[int, bool]:
    counted = _count(session, select(MODELS[kind].id).where(walk_filter(dialect, kind, match)),
                     cap + 1)
    return min(counted, cap), counted > cap
