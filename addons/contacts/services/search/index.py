"""The contacts search index: one row per contact in `contacts_<kind>_search`
(models/search_index.py), keyed by `sort_key`, with copies of the contact's
`name`, `owner_id` and `team_id`, its `haystack` and `word_starts`
(rules/search_terms.py says what they hold and what a term looks for).
Migrations 0002/0007 put a trigram index over haystack and word_starts:
SQLite FTS5 (trigram tokenizer, rowid = sort_key), PostgreSQL pg_trgm (GIN,
with owner and team through btree_gin); and SQLite an index by owner that
holds every searched column (services/search/scoped.py).

Keeping it in step: a session listener (`reindex_after_flush`, registered by
the addon's listeners.py) reindexes every company/person whose name, owner,
team, phones or e-mails an ORM flush touched, whatever the path (forms,
REST, imports, merges, reassignment). Code that writes contacts, phones or
e-mails with Core statements (bulk inserts) must call, in the same
transaction:

    reindex(session_or_connection, kind, ids)

    kind  "company" or "person"
    ids   the ids of the contacts written (any iterable; deleted ids are
          removed from the index)

Reading: services/search/matching.py.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ARRAY, any_, bindparam, delete, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...models import Company, ContactEmail, ContactPhone, Person
from ...models.search_index import company_search, person_search
from ...rules.search_terms import KEY_ID_BITS, document, sort_key

KINDS = ("company", "person")
MODELS = {"company": Company, "person": Person}
SIDE_TABLES = {"company": company_search, "person": person_search}
CHUNK = 2000  # ids per IN list (SQLite allows 32766 parameters)


# --- writing the index ----------------------------------------------------

def _connection(bind) -> Connection:
    # a Session or a scoped_session (db.session): the connection of its transaction
    return bind if isinstance(bind, Connection) else bind.connection()


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _among(conn: Connection, column, ids: list[int]):
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter instead of
    thousands (compiling and binding an IN list of 2,000 costs 3x the query)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(column.type)))
    return column.in_(ids)


ROW = ("sort_key", "contact_id", "name", "owner_id", "team_id", "haystack", "word_starts")


def _documents(conn: Connection, kind: str, ids: list[int]) -> list[tuple]:
    """The index rows (ROW) of the contacts among `ids` that exist: three
    set-based queries per chunk (names, phones, e-mails), one pass in Python."""
    contacts = MODELS[kind].__table__
    phones, emails = ContactPhone.__table__, ContactEmail.__table__
    owner_phone, owner_email = phones.c[f"{kind}_id"], emails.c[f"{kind}_id"]
    docs = []
    for chunk in _chunks(ids):
        names = conn.execute(select(contacts.c.id, contacts.c.name, contacts.c.owner_id,
                                    contacts.c.team_id)
                             .where(_among(conn, contacts.c.id, chunk))).all()
        numbers, addresses = defaultdict(list), defaultdict(list)
        for owner, value in conn.execute(select(owner_phone, phones.c.e164)
                                         .where(_among(conn, owner_phone, chunk))
                                         .order_by(phones.c.id)):
            numbers[owner].append(value)
        for owner, value in conn.execute(select(owner_email, emails.c.normalised)
                                         .where(_among(conn, owner_email, chunk))
                                         .order_by(emails.c.id)):
            addresses[owner].append(value)
        for cid, name, owner_id, team_id in sorted(names):
            doc = document(name, addresses.get(cid, ()), numbers.get(cid, ()))
            docs.append((sort_key(name, cid), cid, doc["name"], owner_id, team_id,
                         doc["haystack"], doc["word_starts"]))
    return docs


def _unique_keys(conn: Connection, side, docs: list[tuple]) -> list[tuple]:
    """A key another row holds (ids from 2**23 on can meet one) moves to the
    next free key of its name group: the group's order is no order anyway."""
    mask = (1 << KEY_ID_BITS) - 1
    held: set[int] = set()
    for chunk in _chunks([doc[0] for doc in docs]):
        held.update(conn.scalars(select(side.c.sort_key)
                                 .where(_among(conn, side.c.sort_key, chunk))))
    out = []
    for key, *rest in docs:
        while key in held:
            key = key & ~mask | (key + 1) & mask
            if conn.execute(select(side.c.sort_key).where(side.c.sort_key == key)).first():
                held.add(key)
        held.add(key)
        out.append((key, *rest))
    return out


def _write_rows(conn: Connection, side, docs: list[tuple]) -> None:
    """Insert the index rows: PostgreSQL by COPY (in the same transaction), which
    is several times faster than an executemany; others by one executemany."""
    if not docs:
        return
    docs = _unique_keys(conn, side, docs)
    if conn.dialect.name != "postgresql":
        conn.execute(insert(side), [dict(zip(ROW, doc)) for doc in docs])
        return
    raw = conn.connection.driver_connection  # psycopg 3, the session's transaction
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {side.name} ({', '.join(ROW)}) FROM STDIN") as copy:
            for row in docs:
                copy.write_row(row)


def reindex(bind: Session | Connection, kind: str, ids: Iterable[int]) -> None:
    """Rebuild the index rows of these contacts from the database (see module doc)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    conn = _connection(bind)
    side = SIDE_TABLES[kind]
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids:
        return
    docs = _documents(conn, kind, ids)
    for chunk in _chunks(ids):  # deleted contacts lose their row here and get none back
        conn.execute(delete(side).where(_among(conn, side.c.contact_id, chunk)))
    _write_rows(conn, side, docs)


# --- keeping it in step with ORM writes -----------------------------------

# a contact's own fields the index copies (owner and team: FAB's forms and
# REST set the relationship, which reaches the column during the flush)
INDEXED_FIELDS = ("name", "owner_id", "owner", "team_id", "team")


def _touched_contacts(session: Session) -> dict[str, set[int]]:
    """Contacts whose name, owner, team, phones or e-mails this flush changed, by kind."""
    touched: dict[str, set[int]] = defaultdict(set)
    changed = [(obj, "new") for obj in session.new] + [(obj, "dirty") for obj in session.dirty] \
        + [(obj, "deleted") for obj in session.deleted]
    for obj, how in changed:
        state = inspect(obj)
        if isinstance(obj, (Company, Person)):
            kind = "company" if isinstance(obj, Company) else "person"
            if how != "dirty" or any(state.attrs[key].history.has_changes()
                                     for key in INDEXED_FIELDS):
                touched[kind].add(state.identity[0] if state.identity else obj.id)
        elif isinstance(obj, (ContactPhone, ContactEmail)):
            for kind in KINDS:  # the parent now, and the one it left if it moved
                key = f"{kind}_id"
                hist = state.attrs[key].history
                touched[kind].update(v for v in (getattr(obj, key), *hist.deleted) if v)
                rel = state.attrs[kind].history
                touched[kind].update(p.id for p in (*rel.added, *rel.deleted)
                                     if p is not None and p.id)
    return touched


def reindex_after_flush(session: Session, _flush_context) -> None:
    """Session after_flush listener (registered by listeners.py): reindex the
    contacts this flush touched."""
    for kind, ids in _touched_contacts(session).items():
        if ids:
            reindex(session, kind, ids)


def rebuild_all(bind: Session | Connection) -> None:
    """After a bulk load that bypassed the index triggers (bench seeding):
    SQLite's FTS tables are rebuilt from the side tables."""
    conn = _connection(bind)
    if conn.dialect.name == "sqlite":
        for side in SIDE_TABLES.values():
            conn.exec_driver_sql(f"INSERT INTO {side.name}_fts({side.name}_fts) VALUES ('rebuild')")
