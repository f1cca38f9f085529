"""Contacts search: find a company or person by a fragment of its name, an
e-mail or a phone number, among millions, through an index.

The index is one row per contact in `contacts_<kind>_search`
(models/search_index.py): a `haystack` (the name lower-cased, the normalised
e-mails, each phone in E.164 and in national digits, one per line) and
`grams` (the CJK unigrams and bigrams, " 王 芳 王芳 "). Migration 0002 puts a
trigram index over both: SQLite FTS5 (trigram tokenizer), PostgreSQL pg_trgm
(GIN). A query of 3 characters or more is a substring of the haystack; a
trigram index cannot answer fewer, so a 1-2 character CJK query ("王",
"王芳", the common case for Chinese names) looks for the word " 王芳 " among
the grams instead, which is 3 characters with its spaces. Other queries
under 3 characters (Latin "li") still work but scan.

Keeping it in step: a session listener (`keep_index_in_step`, installed by
the addon's register()) reindexes every company/person whose name, phones
or e-mails an ORM flush touched, whatever the path (forms, REST, imports,
merges). Code that writes contacts, phones or e-mails with Core statements
(bulk inserts) must call, in the same transaction:

    reindex(session_or_connection, kind, ids)

    kind  "company" or "person"
    ids   the ids of the contacts written (any iterable; deleted ids are
          removed from the index)

Reading: `search_ids(session, kind, text)` is a SELECT of candidate ids, to
be used as `Model.id.in_(...)` in an ORM query so the record rules apply to
the results (services/search_filter.py does that for the screens and REST).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
from sqlalchemy import (ARRAY, Integer, any_, bindparam, delete, event, func, insert, inspect,
                        select)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import Company, ContactEmail, ContactPhone, Person
from ..models.search_index import company_search, person_search

KINDS = ("company", "person")
MODELS = {"company": Company, "person": Person}
SIDE_TABLES = {"company": company_search, "person": person_search}
CHUNK = 2000  # ids per IN list (SQLite allows 32766 parameters)
MIN_TRIGRAM = 3

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
CJK_ONLY = re.compile(f"[{CJK}]+")
# "8000", "138 0013", "+86 138", "(010) 6552-9988": compared as digits (and +)
PHONE_LIKE = re.compile(r"\+?[\d\s\-().]+")
NOT_PHONE_CHAR = re.compile(r"[^\d+]")


# --- what is indexed ------------------------------------------------------

@lru_cache(maxsize=512)
def _country(digits: str) -> tuple[int, str] | None:
    """(length of the country code, national prefix) for an E.164 number's digits."""
    for size in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
            return size, (meta.national_prefix if meta and meta.national_prefix else "")
    return None


def phone_forms(e164: str) -> list[str]:
    """+861065529988 -> ["+861065529988", "1065529988", "01065529988"]: what people type."""
    digits = e164.lstrip("+")
    found = _country(digits[:3]) if digits else None
    if not found:
        return [e164]
    size, trunk = found
    national = digits[size:]
    return [e164, national] + ([trunk + national] if trunk else [])


def cjk_grams(text: str) -> str:
    """The CJK unigrams and bigrams of `text`, space-separated and space-padded."""
    grams: dict[str, None] = {}
    for run in CJK_RUN.findall(text):
        for i, char in enumerate(run):
            grams[char] = None
            if i + 1 < len(run):
                grams[run[i:i + 2]] = None
    return f" {' '.join(grams)} " if grams else ""


def document(name: str, emails: Iterable[str], phones_e164: Iterable[str]) -> dict:
    """The index row of a contact: haystack and grams."""
    lines = [(name or "").lower(), *(e.lower() for e in emails)]
    grams = cjk_grams("\n".join(lines))
    for e164 in phones_e164:
        lines.extend(phone_forms(e164))
    return {"haystack": "\n".join(lines), "grams": grams}


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
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _documents(conn: Connection, kind: str, ids: list[int]) -> list[tuple[int, str, str]]:
    """(contact_id, haystack, grams) of the contacts among `ids` that exist: three
    set-based queries per chunk (names, phones, e-mails), one pass in Python."""
    contacts = MODELS[kind].__table__
    phones, emails = ContactPhone.__table__, ContactEmail.__table__
    owner_phone, owner_email = phones.c[f"{kind}_id"], emails.c[f"{kind}_id"]
    docs = []
    for chunk in _chunks(ids):
        names = conn.execute(select(contacts.c.id, contacts.c.name)
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
        for cid, name in sorted(names):
            doc = document(name, addresses.get(cid, ()), numbers.get(cid, ()))
            docs.append((cid, doc["haystack"], doc["grams"]))
    return docs


def _write_rows(conn: Connection, side, docs: list[tuple[int, str, str]]) -> None:
    """Insert the index rows: PostgreSQL by COPY (in the same transaction), which
    is several times faster than an executemany; others by one executemany."""
    if not docs:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(side), [{"contact_id": c, "haystack": h, "grams": g}
                                    for c, h, g in docs])
        return
    raw = conn.connection.driver_connection  # psycopg 3, the session's transaction
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {side.name} (contact_id, haystack, grams) FROM STDIN") as copy:
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


def _touched_contacts(session: Session) -> dict[str, set[int]]:
    """Contacts whose name, phones or e-mails this flush changed, by kind."""
    touched: dict[str, set[int]] = defaultdict(set)
    changed = [(obj, "new") for obj in session.new] + [(obj, "dirty") for obj in session.dirty] \
        + [(obj, "deleted") for obj in session.deleted]
    for obj, how in changed:
        state = inspect(obj)
        if isinstance(obj, (Company, Person)):
            kind = "company" if isinstance(obj, Company) else "person"
            if how != "dirty" or state.attrs.name.history.has_changes():
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


def _after_flush(session: Session, _ctx) -> None:
    for kind, ids in _touched_contacts(session).items():
        if ids:
            reindex(session, kind, ids)


def keep_index_in_step() -> None:
    """Reindex contacts after every ORM flush that touched them (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# --- reading the index ----------------------------------------------------

def query_plan(text: str) -> tuple[str, str] | None:
    """(column, fragment) to look for, or None for an empty query.

    Whitespace is collapsed and case folded; a phone-like query keeps only
    digits and "+"; a CJK query under 3 characters becomes the word
    " <query> " looked up among the grams."""
    query = " ".join((text or "").split()).lower()
    if not query:
        return None
    if PHONE_LIKE.fullmatch(query) and sum(c.isdigit() for c in query) >= MIN_TRIGRAM:
        query = NOT_PHONE_CHAR.sub("", query)
    if len(query) < MIN_TRIGRAM and CJK_ONLY.fullmatch(query):
        return "grams", f" {query} "
    return "haystack", query


def search_ids(session: Session, kind: str, text: str):
    """A SELECT of the ids of `kind` contacts matching `text`, or None for an
    empty query. Not filtered by record rules: use it inside an ORM query."""
    plan = query_plan(text)
    if plan is None:
        return None
    column, fragment = plan
    side = SIDE_TABLES[kind]
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 uses its trigram index for LIKE only without ESCAPE: wildcards
        # typed by the user become "_" (any character), and instr() keeps the
        # match exact
        fts = sa_table(f"{side.name}_fts", sa_column("rowid"), sa_column(column))
        pattern = fragment.replace("%", "_")
        stmt = select(fts.c.rowid).where(fts.c[column].like(f"%{pattern}%"))
        if pattern != fragment or "_" in fragment:
            stmt = stmt.where(func.instr(fts.c[column], fragment) > 0)
        return stmt
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return select(side.c.contact_id).where(side.c[column].like(f"%{escaped}%", escape="\\"))


def rebuild_all(bind: Session | Connection) -> None:
    """After a bulk load that bypassed the index triggers (bench seeding):
    SQLite's FTS tables are rebuilt from the side tables."""
    conn = _connection(bind)
    if conn.dialect.name == "sqlite":
        for side in SIDE_TABLES.values():
            conn.exec_driver_sql(f"INSERT INTO {side.name}_fts({side.name}_fts) VALUES ('rebuild')")
