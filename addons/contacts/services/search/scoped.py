"""The reader's search: the contacts of one kind matching a term, among those
the reader may read, in list order (name, id), counted up to the list cap.

    search = reader_search(session, "person", "王")   # None for an empty term
    search.count()       # (matches up to cap, whether there are more)
    search.leading(50)   # the first 50 matches' ids in (name, id) order
    search.every()       # every match's id when there are at most cap, else None

A list page then reads its 25 rows by id and the count is known: no query
materialises every match and joins it back (services/search/list_filter.py). The
search reads the index alone (models/search_index.py: name, owner and team
are copied there), within the reader's record rule applied to those copies
(core/security/record_rules.py read_filter); the list's own query of the
page's rows applies the rules again. Paths (rules/search_terms.py says
what the index returns for a term):

1. a reader of some rows (a salesperson, a sales manager): the reader's
   index rows in name order, each checked, up to cap + 1. SQLite walks its
   index by owner, which holds every searched column (a salesperson's 12,000
   rows of a million: a few milliseconds, whatever the term); PostgreSQL's
   GIN index finds owner or team and term at once, then sorts the matches;
2. a reader of every row (admin, read-only roles): on SQLite the full-text
   index returns candidates in key order, which is name order by groups of
   names sharing their first 5 bytes, so reading stops once a page's worth
   is checked and its group complete; the count stops at cap + 1.
   PostgreSQL counts the same way; more than cap matches and it checks the
   first contacts in name order, which hold a page for a term common all
   along the order ("163.com", "m"), before sorting every match (top-N).

A term the index cannot answer (1-2 characters that are not letters or
digits, like "%") is checked row by row: path 1 for a reader of some rows,
the name index walked with the check as a filter (`walk_filter`) for a
reader of every row.
"""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.security.actor import current_actor
from core.security.record_rules import read_filter
from core.views.capped_count import count_cap

from ...rules.search_terms import Match, key_group, match_for
from .index import MODELS, SIDE_TABLES
from .matching import candidates, checked, contains

STREAM_BATCH = 200  # candidates read at a time while looking for a page
WALK_BUDGET = 3000  # PostgreSQL: contacts walked in name order before sorting every match


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


class ReaderSearch:
    """One reader's search for one term, answered as far as asked."""

    def __init__(self, session: Session, kind: str, match: Match, cap: int):
        self.session, self.kind, self.match, self.cap = session, kind, match, cap
        self.dialect = session.get_bind().dialect.name
        self.model = MODELS[kind]
        self._leading: list[int] = []  # the first matches in (name, id) order
        self._complete = False  # _leading holds every match
        self._counted: tuple[int, bool] | None = None
        self._last_key = self._group = None  # where the last read of path 2 stopped
        # the reader's record rule on the index's copies of owner and team
        self.scope = read_filter(session, self.model, SIDE_TABLES[kind].c)
        self.everything = self.scope is None
        if not self.everything:
            self._scoped()

    # -- what the list asks --------------------------------------------------

    def count(self) -> tuple[int, bool]:
        """(matches counted up to cap, whether there are more)."""
        if self._complete:
            return min(len(self._leading), self.cap), len(self._leading) > self.cap
        if self._counted is None:
            if not self.match.indexed:
                stmt = select(self.model.id).where(self.filter())
            elif self.dialect == "sqlite" and len(self.match.needle) == 3:
                stmt = candidates(self.dialect, self.kind, self.match)  # one trigram: exact
            else:
                side = SIDE_TABLES[self.kind]
                stmt = checked(self.dialect, self.kind, self.match, side.c.sort_key)
            counted = _count(self.session, stmt, self.cap + 1)
            self._counted = min(counted, self.cap), counted > self.cap
        return self._counted

    def leading(self, n: int) -> tuple[int, ...] | None:
        """The first `n` matches (all of them if fewer), or None when only a
        walk of the name index finds them (`filter`)."""
        if len(self._leading) < n and not self._complete:
            if not (self.everything and self.match.indexed):
                return None
            if self.dialect == "sqlite":
                self._stream(n)
            else:
                self._top(n)
        return tuple(self._leading[:n])

    def every(self) -> tuple[int, ...] | None:
        """Every match when there are at most cap, else None."""
        if self.count()[1]:
            return None
        return self.leading(self.cap)

    def filter(self):
        """The match as a filter on contacts walked in name order."""
        return walk_filter(self.dialect, self.kind, self.match)

    # -- paths ---------------------------------------------------------------

    def _scoped(self) -> None:
        """Path 1: every match within the reader's rules, up to cap + 1, from
        the index alone (its copies of name, owner and team)."""
        side = SIDE_TABLES[self.kind]
        chosen = (select(side.c.contact_id)
                  .where(self.scope, contains(self.dialect, side.c[self.match.column],
                                              self.match.needle))
                  .order_by(side.c.name, side.c.contact_id).limit(self.cap + 1))
        self._leading = list(self.session.scalars(chosen))
        self._complete = len(self._leading) <= self.cap
        if not self._complete:  # the first cap + 1 in order: more than that to walk
            self._counted = self.cap, True

    def _stream(self, n: int) -> None:
        """Path 2 on SQLite: candidates in key order, checked, until `n` are found
        and the name group of the last one is complete; sorted by (name, id)."""
        side = SIDE_TABLES[self.kind]
        found_keys = candidates(self.dialect, self.kind, self.match)
        if self._last_key is not None:  # asked for more: read on from where the last read stopped
            found_keys = found_keys.where(found_keys.selected_columns.sort_key > self._last_key)
        keys = found_keys.subquery()
        # the index drives (in key order), each candidate's row is looked up by key
        stmt = (select(side.c.sort_key, side.c.name, side.c.contact_id)
                .select_from(keys.join(side, side.c.sort_key == keys.c.sort_key))
                .where(contains(self.dialect, side.c[self.match.column], self.match.needle))
                .order_by(keys.c.sort_key))
        found: list[tuple[str, int]] = []
        result = self.session.connection().execute(stmt)
        try:
            while True:
                batch = result.fetchmany(STREAM_BATCH)
                for key, name, contact_id in batch:
                    if len(self._leading) + len(found) >= n and key_group(key) != self._group:
                        self._end(found, complete=False)
                        return
                    found.append((name, contact_id))
                    self._last_key, self._group = key, key_group(key)
                if len(batch) < STREAM_BATCH:
                    self._end(found, complete=True)
                    return
        finally:
            result.close()

    def _end(self, found: list[tuple[str, int]], complete: bool) -> None:
        # earlier reads ended on a group boundary: what follows sorts after them
        self._leading += [contact_id for _, contact_id in sorted(found)]
        self._complete = complete

    def _top(self, n: int) -> None:
        """Path 2 on PostgreSQL: every match when at most cap (the count says);
        else the first WALK_BUDGET contacts in name order, checked, which hold
        a page for a term common all along the order; else the first `n`
        matches sorted by name (a top-N sort over every match)."""
        side = SIDE_TABLES[self.kind]
        conn = self.session.connection()  # a reader of every row: no rule to apply
        if self.count()[1]:
            model = self.model
            walked = select(model.id, model.name).order_by(model.name, model.id) \
                .limit(WALK_BUDGET).subquery()
            value = select(side.c[self.match.column]) \
                .where(side.c.contact_id == walked.c.id).scalar_subquery()
            found = list(conn.scalars(
                select(walked.c.id).where(contains(self.dialect, value, self.match.needle))
                .order_by(walked.c.name, walked.c.id).limit(n)))
            if len(found) == n:
                self._leading = found
                return
        limit = self.cap + 1 if not self.count()[1] else n
        stmt = checked(self.dialect, self.kind, self.match, side.c.contact_id) \
            .order_by(side.c.name, side.c.contact_id).limit(limit)
        self._leading = list(conn.scalars(stmt))
        self._complete = len(self._leading) < limit


def reader_search(session: Session, kind: str, text: str,
                  cap: int | None = None) -> ReaderSearch | None:
    """The current reader's search for `text`, one per request and term
    (see the module docstring); None for an empty term."""
    match = match_for(text)
    if match is None:
        return None
    cap = count_cap() if cap is None else cap
    if not has_request_context():
        return ReaderSearch(session, kind, match, cap)
    searches = g.setdefault("_contacts_searches", {})
    key = (kind, match, cap, current_actor(), id(session))
    if key not in searches:
        searches[key] = ReaderSearch(session, kind, match, cap)
    return searches[key]
