"""contacts: search index over names, e-mails and phones

One side table per kind (`contacts_company_search`, `contacts_person_search`)
holds a normalised haystack and the CJK unigrams/bigrams of each contact
(see services/search/index.py). The substring index over them:

- SQLite: an FTS5 table with the trigram tokenizer over the side table
  (external content, kept in step by triggers; `detail=none`: LIKE needs no
  positions);
- PostgreSQL: GIN indexes with pg_trgm's gin_trgm_ops. The extension comes
  with Debian's postgresql package (contrib); it is "trusted" since
  PostgreSQL 13, so the database owner may create it. If it cannot be
  created the upgrade stops with a message saying what to do.

Also (owner_id, name, id) indexes: a salesperson's list is filtered by owner
and ordered by name, deep pages included.

Revision ID: 0002_contacts_search
Revises: 0001_contacts
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_contacts_search'
down_revision = '0001_contacts'
branch_labels = None
depends_on = None

KINDS = ("contacts_company", "contacts_person")


def _sqlite_fts(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(haystack, grams, content='{table}', "
        "content_rowid='contact_id', tokenize='trigram', detail='none', columnsize=0)",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, haystack, grams) "
        "VALUES (new.contact_id, new.haystack, new.grams); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, haystack, grams) "
        "VALUES ('delete', old.contact_id, old.haystack, old.grams); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, haystack, grams) "
        "VALUES ('delete', old.contact_id, old.haystack, old.grams); "
        f"INSERT INTO {fts}(rowid, haystack, grams) "
        "VALUES (new.contact_id, new.haystack, new.grams); END",
    ]


def _ensure_pg_trgm(conn) -> None:
    if conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return
    if not conn.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first():
        raise RuntimeError(
            "contacts search needs PostgreSQL's pg_trgm extension, which this server "
            "does not have: install the server's contrib package (Debian's 'postgresql' "
            "package includes it) and upgrade again")
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql("CREATE EXTENSION pg_trgm")
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        database = conn.exec_driver_sql("SELECT current_database()").scalar()
        raise RuntimeError(
            f"contacts search needs the pg_trgm extension and this database user may not "
            f"create it ({exc.orig}); as a superuser run: "
            f'CREATE EXTENSION pg_trgm; in database "{database}", then upgrade again'
        ) from None
    savepoint.commit()


def upgrade() -> None:
    conn = op.get_bind()
    for table in KINDS:
        op.create_table(
            f"{table}_search",
            sa.Column("contact_id", sa.Integer(), nullable=False),
            sa.Column("haystack", sa.Text(), nullable=False),
            sa.Column("grams", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["contact_id"], [f"{table}.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("contact_id"),
        )
        op.create_index(f"ix_{table}_owner_name", table, ["owner_id", "name", "id"])
    if conn.dialect.name == "sqlite":
        for table in KINDS:
            for statement in _sqlite_fts(f"{table}_search"):
                conn.exec_driver_sql(statement)
    elif conn.dialect.name == "postgresql":
        _ensure_pg_trgm(conn)
        for table in KINDS:
            for column in ("haystack", "grams"):
                conn.exec_driver_sql(
                    f"CREATE INDEX ix_{table}_search_{column}_trgm ON {table}_search "
                    f"USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    conn = op.get_bind()
    for table in KINDS:
        if conn.dialect.name == "sqlite":
            for suffix in ("ai", "ad", "au"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_search_fts")
        # the GIN indexes go with their table; pg_trgm stays: an extension is
        # database-wide and other schemas may use it
        op.drop_index(f"ix_{table}_owner_name", table_name=table)
        op.drop_table(f"{table}_search")
