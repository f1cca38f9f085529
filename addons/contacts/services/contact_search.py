"""Contacts search: find a company or person by a fragment of its name, an
e-mail or a phone number, among millions, through an index.

The index is one row per contact in `contacts_<kind>_search`
(models/search_index.py), keyed by `sort_key` (the name's first 5 bytes,
then the id: key order is name order, give or take names sharing those
bytes): copies of the contact's `name`, `owner_id` and `team_id`, a
`haystack` (the name lower-cased, the normalised e-mails, each phone in E.164
and in national digits, one per line) and `word_starts` (the first one and
two characters of every word of the haystack, and its CJK unigrams and
bigrams, each after two spaces: "  m  ma  s  sm  1  13  王  王芳").
Migrations 0002/0007 put a trigram index over haystack and word_starts:
SQLite FTS5 (trigram tokenizer, rowid = sort_key), PostgreSQL pg_trgm (GIN,
with owner and team through btree_gin); and SQLite an index by owner that
holds every searched column (services/scoped_search.py).

What a term matches (`match_for`): whitespace is collapsed and case folded;
a phone-like term with 3 digits or more keeps only digits and "+". A term of
3 characters or more is a substring of the haystack. A term of 1 or 2
letters or digits is the beginning of a word ("m" finds Maria, Anna Miller,
m.li@163.com; "13" a national number starting 13) or, in Chinese, Japanese
or Korean, a character or pair of characters anywhere ("王", "王芳", "小明"):
the index finds either as the one trigram "  m" / " ma" in word_starts. A
1-2 character term with other characters ("%", "a_", "@") is a literal
substring of the haystack, which no index answers (scanned).

Keeping it in step: a session listener (`keep_index_in_step`, installed by
the addon's register()) reindexes every company/person whose name, owner,
team, phones or e-mails an ORM flush touched, whatever the path (forms,
REST, imports, merges, reassignment). Code that writes contacts, phones or
e-mails with Core statements (bulk inserts) must call, in the same
transaction:

    reindex(session_or_connection, kind, ids)

    kind  "company" or "person"
    ids   the ids of the contacts written (any iterable; deleted ids are
          removed from the index)

Reading: services/scoped_search.py finds a reader's matches in name order
(lists, REST, pickers); `search_ids(session, kind, text)` is a SELECT of
every matching id, to be used as `Model.id.in_(...)` in an ORM query so the
record rules apply (duplicate detection). Both are built from `candidates`
(what the index returns) and `contains` (the exact test of one row).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
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

# kana, CJK ideographs (extension A, the basic block, compatibility, and the
# supplementary planes' extensions B-H: 𠀀), hangul
CJK = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
       "\U00020000-\U0003134f")
CJK_RUN = re.compile(f"[{CJK}]+")
WORD = re.compile(f"[^\\W_{CJK}]+")  # letters and digits outside CJK runs
WORD_START = "  "  # before every entry of word_starts: never in a haystack
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


def word_starts(haystack: str) -> str:
    """"  m  ma  王  王芳": the first one and two characters of the words of
    `haystack` and its CJK unigrams and bigrams, each after WORD_START."""
    starts: dict[str, None] = {}
    for run in CJK_RUN.findall(haystack):
        for i, char in enumerate(run):
            starts[char] = None
            if i + 1 < len(run):
                starts[run[i:i + 2]] = None
    for word in WORD.findall(haystack):
        starts[word[:1]] = None
        starts[word[:2]] = None
    return "".join(WORD_START + start for start in starts)


KEY_PREFIX_BYTES = 5
KEY_ID_BITS = 63 - 8 * KEY_PREFIX_BYTES  # 23: ids below 8,388,608 never collide


def sort_key(name: str, contact_id: int) -> int:
    """The index row's key: the name's first 5 bytes (UTF-8, the order of
    SQLite's BINARY and of a "C" collation), then the contact id. Two names in
    order have keys in order unless they share those 5 bytes."""
    prefix = int.from_bytes((name or "").encode()[:KEY_PREFIX_BYTES]
                            .ljust(KEY_PREFIX_BYTES, b"\0"), "big")
    return prefix << KEY_ID_BITS | contact_id & ((1 << KEY_ID_BITS) - 1)


def key_group(key: int) -> int:
    """The name prefix of a key: keys of one group are in no particular order."""
    return key >> KEY_ID_BITS


def document(name: str, emails: Iterable[str], phones_e164: Iterable[str]) -> dict:
    """The index row of a contact: name, haystack and word_starts."""
    lines = [" ".join((name or "").lower().split()), *(e.lower() for e in emails)]
    for e164 in phones_e164:
        lines.extend(phone_forms(e164))
    haystack = "\n".join(lines)
    return {"name": name or "", "haystack": haystack, "word_starts": word_starts(haystack)}


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


def _after_flush(session: Session, _ctx) -> None:
    for kind, ids in _touched_contacts(session).items():
        if ids:
            reindex(session, kind, ids)


def keep_index_in_step() -> None:
    """Reindex contacts after every ORM flush that touched them (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# --- reading the index ----------------------------------------------------

@dataclass(frozen=True)
class Match:
    """What a term looks for: `needle` inside the side table's `column`;
    `indexed` when the trigram index can find the candidates."""

    column: str  # "haystack" or "word_starts"
    needle: str
    indexed: bool


def match_for(text: str) -> Match | None:
    """What `text` matches (see the module docstring), None when empty."""
    term = " ".join((text or "").split()).lower()
    if not term:
        return None
    if PHONE_LIKE.fullmatch(term) and sum(c.isdigit() for c in term) >= MIN_TRIGRAM:
        term = NOT_PHONE_CHAR.sub("", term)
    if len(term) >= MIN_TRIGRAM:
        return Match("haystack", term, True)
    if len(term) == 2 and term[0] == "+" and term[1].isdigit():
        term = term[1:]  # "+8": the start of an E.164 number, which is a word of digits
    if WORD.fullmatch(term) or CJK_RUN.fullmatch(term):
        # one trigram: "  m" is a word starting with m, " ma" one starting with ma
        return Match("word_starts", (WORD_START + term)[-MIN_TRIGRAM:], True)
    return Match("haystack", term, False)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(dialect: str, value, needle: str):
    """`value` (a column or a scalar subquery) contains `needle`, literally."""
    if dialect == "sqlite":
        return func.instr(value, needle) > 0
    # LIKE, not strpos: pg_trgm's GIN index answers LIKE
    return value.like(f"%{_escape_like(needle)}%", escape="\\")


def fts_query(needle: str) -> str:
    """An FTS5 query for rows whose text has every trigram of `needle`: a
    superset of the rows containing it (detail=none keeps no positions), exact
    for a needle of 3 characters."""
    grams = dict.fromkeys(needle[i:i + MIN_TRIGRAM] for i in range(len(needle) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


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


def rebuild_all(bind: Session | Connection) -> None:
    """After a bulk load that bypassed the index triggers (bench seeding):
    SQLite's FTS tables are rebuilt from the side tables."""
    conn = _connection(bind)
    if conn.dialect.name == "sqlite":
        for side in SIDE_TABLES.values():
            conn.exec_driver_sql(f"INSERT INTO {side.name}_fts({side.name}_fts) VALUES ('rebuild')")
