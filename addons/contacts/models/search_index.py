"""The contacts search index: one row per company/person with a normalised
haystack and the beginnings of its words, kept in step by
services/search/index.py.

Not an ORM model: nobody reads it but the search service, which always
returns contact ids that the list, REST and pickers filter again through ORM
queries on Company/Person, so record rules apply. The full-text index over it
and the indexes that search within an owner's rows are dialect-specific and
live in the migrations only (0002, 0007); the table's info names them, so
`crossdock addons revision` leaves them alone (core/devtools/revision.py, 3.):
SQLite an FTS5 trigram table (`<table>_fts`, external content, rowid =
sort_key), an index by owner that holds every searched column (a
salesperson's search reads no table row) and one by team; PostgreSQL one GIN
index over owner_id, team_id (btree_gin) and haystack, word_starts (pg_trgm).
"""
from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from .company import Company
from .person import Person


def search_table(contact_table: str) -> Table:
    name = f"{contact_table}_search"
    return Table(
        name, Model.metadata,
        # the name's first 5 bytes, then the contact id (rules/search_terms.py
        # sort_key): rows in key order are in name order, give or take names
        # sharing those 5 bytes. SQLite's rowid, which its full-text index
        # returns matches by, so an admin's broad search stops after a page
        Column("sort_key", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=False),
        Column("contact_id", Integer, ForeignKey(f"{contact_table}.id", ondelete="CASCADE"),
               nullable=False, unique=True),
        # copies of the contact's name (to sort by), owner and team (to search
        # within a reader's record rules) as stored: the search reads no
        # contact rows, the list then reads the page's 25 under the rules again
        Column("name", String(200), nullable=False),
        Column("owner_id", Integer),
        Column("team_id", Integer),
        # name lower-cased, e-mails, phones (E.164 and national digits), one per line
        Column("haystack", Text, nullable=False),
        # "  m  ma  s  sm  王  王芳": the first one and two characters of every
        # word and the CJK unigrams and bigrams, each after two spaces, for
        # terms under 3 characters
        Column("word_starts", Text, nullable=False),
        info={"migration_indexes": {"sqlite": (f"ix_{name}_owner", f"ix_{name}_team"),
                                    "postgresql": (f"ix_{name}_trgm",)}},
    )


company_search = search_table("contacts_company")
person_search = search_table("contacts_person")

# lists are ordered by name; a salesperson's list is filtered by owner_id:
# one index serves both filter and order, so deep pages stay an index walk
for _model in (Company, Person):
    _table = _model.__table__
    Index(f"ix_{_table.name}_owner_name", _table.c.owner_id, _table.c.name, _table.c.id)
