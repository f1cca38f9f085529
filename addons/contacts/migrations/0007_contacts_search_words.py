"""contacts: search index with word beginnings, name, owner, team and a name-ordered key

The side tables (`contacts_company_search`, `contacts_person_search`) trade
`grams` (CJK unigrams and bigrams) for `word_starts`: the first one and two
characters of every word of the haystack and its CJK unigrams and bigrams,
each after two spaces ("  m  ma  王  王芳"), so a 1-2 character term is one
trigram of the index (rules/search_terms.py). They copy the contact's
`name`, `owner_id` and `team_id`, so a search sorts and keeps within the
reader's record rules without reading the contacts, and are keyed by
`sort_key` (the name's first 5 bytes, then the contact id; `contact_id`
stays unique): SQLite's full-text index returns matches by that key, in name
order, so an admin's search of a broad term stops after a page. The
haystack's name line gets its whitespace collapsed.

Filled from the existing index rows (word beginnings are those of the
haystack) and the contacts, in chunks; the indexes are built after the fill:
SQLite's FTS5 trigram table over haystack and word_starts (rowid = sort_key,
with its triggers), an index by owner holding every searched column and one
by team; PostgreSQL one GIN index over owner, team (btree_gin, created here
if missing) and the trigrams of haystack and word_starts. About a minute of
CPU per million contacts (3.5 minutes on a busy 2-core machine, SQLite).
Downgrade computes the grams back from the haystack.

Revision ID: 0007_contacts_search_words
Revises: 0006_contacts_import
Create Date: 2026-12-05
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0007_contacts_search_words'
down_revision = '0006_contacts_import'
branch_labels = None
depends_on = None
phase = "contract"  # the search side tables are rebuilt under their names: code before it reads columns gone (core/migration_phases.py)

KINDS = ("contacts_company", "contacts_person")
CHUNK = 5000
# frozen copies of rules/search_terms.py's rules as of this revision
CJK = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
       "\U00020000-\U0003134f")
CJK_RUN = re.compile(f"[{CJK}]+")
WORD = re.compile(f"[^\\W_{CJK}]+")
KEY_PREFIX_BYTES, KEY_ID_BITS = 5, 23
OLD_CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def _pairs(run: str, into: dict) -> None:
    for i, char in enumerate(run):
        into[char] = None
        if i + 1 < len(run):
            into[run[i:i + 2]] = None


def word_starts(haystack: str) -> str:
    starts: dict[str, None] = {}
    for run in CJK_RUN.findall(haystack):
        _pairs(run, starts)
    for word in WORD.findall(haystack):
        starts[word[:1]] = None
        starts[word[:2]] = None
    return "".join("  " + start for start in starts)


def sort_key(name: str, contact_id: int) -> int:
    prefix = int.from_bytes(name.encode()[:KEY_PREFIX_BYTES].ljust(KEY_PREFIX_BYTES, b"\0"),
                            "big")
    return prefix << KEY_ID_BITS | contact_id & ((1 << KEY_ID_BITS) - 1)


def cjk_grams(haystack: str) -> str:
    grams: dict[str, None] = {}
    for run in OLD_CJK_RUN.findall(haystack):
        _pairs(run, grams)
    return f" {' '.join(grams)} " if grams else ""


def _sqlite_fts(table: str, rowid: str, columns: tuple[str, ...]) -> list[str]:
    fts, cols = f"{table}_fts", ", ".join(columns)
    new, old = ", ".join(f"new.{c}" for c in columns), ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='{rowid}', tokenize='trigram', detail='none', columnsize=0)",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{rowid}, {new}); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{rowid}, {old}); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{rowid}, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{rowid}, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _ensure_extension(conn, name: str) -> None:
    """CREATE EXTENSION `name` unless there, with a message saying what to do
    when this database user may not (both are trusted since PostgreSQL 13)."""
    if conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = %s", (name,)).first():
        return
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"CREATE EXTENSION {name}")
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        database = conn.exec_driver_sql("SELECT current_database()").scalar()
        raise RuntimeError(
            f"contacts search needs the {name} extension (PostgreSQL's contrib, in "
            f"Debian's 'postgresql' package) and this database user may not create it "
            f"({exc.orig}); as a superuser run: CREATE EXTENSION {name}; in database "
            f'"{database}", then upgrade again') from None
    savepoint.commit()


def _drop_old_indexes(conn, table: str) -> None:
    """0002's full-text index (the side table's own indexes go with the table)."""
    if conn.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_fts")
    elif conn.dialect.name == "postgresql":
        for column in ("haystack", "grams"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")


def _create_old_indexes(conn, table: str) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _sqlite_fts(table, "contact_id", ("haystack", "grams")):
            conn.exec_driver_sql(statement)
    elif conn.dialect.name == "postgresql":
        for column in ("haystack", "grams"):
            conn.exec_driver_sql(f"CREATE INDEX ix_{table}_{column}_trgm ON {table} "
                                 f"USING gin ({column} gin_trgm_ops)")


def _drop_new_indexes(conn, table: str) -> None:
    if conn.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_fts")
    for suffix in ("owner", "team", "trgm"):  # they would keep their names with the table
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_{suffix}")


def _create_new_indexes(conn, table: str) -> None:
    """SQLite: the FTS5 trigram table by sort_key; an index by owner holding every
    column a salesperson's search reads (walked in name order, no row read), one
    by team. PostgreSQL: one GIN index, owner and team (btree_gin) and trigrams."""
    if conn.dialect.name == "sqlite":
        for statement in _sqlite_fts(table, "sort_key", ("haystack", "word_starts")):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(f"CREATE INDEX ix_{table}_owner ON {table} "
                             "(owner_id, name, contact_id, word_starts, haystack)")
        conn.exec_driver_sql(f"CREATE INDEX ix_{table}_team ON {table} (team_id)")
    elif conn.dialect.name == "postgresql":
        _ensure_extension(conn, "btree_gin")
        conn.exec_driver_sql(
            f"CREATE INDEX ix_{table}_trgm ON {table} USING gin (owner_id, team_id, "
            "haystack gin_trgm_ops, word_starts gin_trgm_ops)")


def _move_aside(conn, table: str, suffix: str) -> str:
    """Rename the side table (and, on PostgreSQL, its constraints, whose names
    the new table takes) out of the way; returns the new name."""
    aside = f"{table}_{suffix}"
    op.rename_table(table, aside)
    if conn.dialect.name == "postgresql":
        names = conn.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", (aside,))
        for name, in names.all():
            if name.startswith(table + "_"):
                conn.exec_driver_sql(f"ALTER TABLE {aside} RENAME CONSTRAINT {name} "
                                     f"TO {aside}{name[len(table):]}")
    return aside


def _create_side(table: str, contacts: str, columns: list[sa.Column],
                 key: str = "contact_id") -> sa.Table:
    op.create_table(
        table,
        *columns,
        sa.ForeignKeyConstraint(["contact_id"], [f"{contacts}.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(key),
        *([sa.UniqueConstraint("contact_id")] if key != "contact_id" else []),
    )
    return sa.table(table, *(sa.column(c.name) for c in columns))


def _copy(conn, source: sa.Table, target: sa.Table, read, convert) -> None:
    """Fill `target` from `source` in chunks of CHUNK contact ids, converted row by row."""
    last = 0
    while True:
        rows = conn.execute(read.where(source.c.contact_id > last)
                            .order_by(source.c.contact_id).limit(CHUNK)).all()
        if not rows:
            return
        conn.execute(sa.insert(target), [convert(row) for row in rows])
        last = rows[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    for contacts in KINDS:
        table = f"{contacts}_search"
        _drop_old_indexes(conn, table)
        old = sa.table(_move_aside(conn, table, "0002"), sa.column("contact_id"),
                       sa.column("haystack"))
        new = _create_side(table, contacts, [
            sa.Column("sort_key", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                      autoincrement=False, nullable=False),
            sa.Column("contact_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("owner_id", sa.Integer(), nullable=True),
            sa.Column("team_id", sa.Integer(), nullable=True),
            sa.Column("haystack", sa.Text(), nullable=False),
            sa.Column("word_starts", sa.Text(), nullable=False)], key="sort_key")
        people = sa.table(contacts, sa.column("id"), sa.column("name"), sa.column("owner_id"),
                          sa.column("team_id"))

        def convert(row):
            lines = row.haystack.split("\n")
            lines[0] = " ".join(lines[0].split())
            haystack = "\n".join(lines)
            return {"sort_key": sort_key(row.name or "", row.contact_id),
                    "contact_id": row.contact_id, "name": row.name or "",
                    "owner_id": row.owner_id, "team_id": row.team_id,
                    "haystack": haystack, "word_starts": word_starts(haystack)}

        _copy(conn, old, new, sa.select(old.c.contact_id, old.c.haystack, people.c.name,
                                        people.c.owner_id, people.c.team_id)
              .join(people, people.c.id == old.c.contact_id), convert)
        op.drop_table(old.name)
        _create_new_indexes(conn, table)


def downgrade() -> None:
    conn = op.get_bind()
    for contacts in KINDS:
        table = f"{contacts}_search"
        _drop_new_indexes(conn, table)
        new = sa.table(_move_aside(conn, table, "0007"), sa.column("contact_id"),
                       sa.column("haystack"))
        old = _create_side(table, contacts, [sa.Column("contact_id", sa.Integer(), nullable=False),
                                             sa.Column("haystack", sa.Text(), nullable=False),
                                             sa.Column("grams", sa.Text(), nullable=False)])
        _copy(conn, new, old, sa.select(new.c.contact_id, new.c.haystack),
              lambda row: {"contact_id": row.contact_id, "haystack": row.haystack,
                           "grams": cjk_grams(row.haystack)})
        op.drop_table(new.name)
        _create_old_indexes(conn, table)
