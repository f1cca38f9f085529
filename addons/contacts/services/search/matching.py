"""Reading the contacts search index: the SQL that finds the rows matching a
term (rules/search_terms.py says what a term looks for).

services/search/scoped.py finds a reader's matches in name order (lists,
REST, pickers); `search_ids(session, kind, text)` is a SELECT of every
matching id, to be used as `Model.id.in_(...)` in an ORM query so the record
rules apply (duplicate detection). Both are built from `candidates` (what the
index returns) and `contains` (the exact test of one row).
"""
from __future__ import annotations

from sqlalchemy import Integer, func, select
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import Session

from ...rules.search_terms import Match, fts_query, match_for
from .index import SIDE_TABLES


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(dialect: str, value, needle: str):
    """`value` (a column or a scalar subquery) contains `needle`, literally."""
    if dialect == "sqlite":
        return func.instr(value, needle) > 0
    # LIKE, not strpos: pg_trgm's GIN index answers LIKE
    return value.like(f"%{_escape_like(needle)}%", escape="\\")


def candidates(dialect: str, kind: str, match: Match):
    """A SELECT of one column, `sort_key`, of the index rows the index returns
    for an indexed match, in key order on SQLite: there every row holding the
    needle's trigrams (a superset, to check with `contains`), on PostgreSQL
    the rows matching (pg_trgm rechecks)."""
    side = SIDE_TABLES[kind]
    if dialect == "sqlite":
        name = f"{side.name}_fts"
        fts = sa_table(name, sa_column("rowid", Integer), sa_column(name))
        return select(fts.c.rowid.label("sort_key")).where(
            fts.c[name].op("MATCH")(fts_query(match.needle)))
    return select(side.c.sort_key).where(contains(dialect, side.c[match.column], match.needle))


def checked(dialect: str, kind: str, match: Match, *columns):
    """A SELECT of `columns` of the side table's rows matching, through the
    index when it can answer (candidates, then each checked)."""
    side = SIDE_TABLES[kind]
    stmt = select(*columns).where(contains(dialect, side.c[match.column], match.needle))
    if not match.indexed or dialect != "sqlite":  # PostgreSQL: the GIN index answers LIKE
        return stmt
    found = candidates(dialect, kind, match).subquery()
    return stmt.where(side.c.sort_key == found.c.sort_key)


def search_ids(session: Session, kind: str, text: str):
    """A SELECT of the ids of `kind` contacts matching `text`, or None for an
    empty query. Not filtered by record rules: use it inside an ORM query."""
    match = match_for(text)
    if match is None:
        return None
    side = SIDE_TABLES[kind]
    return checked(session.get_bind().dialect.name, kind, match, side.c.contact_id)
