"""The contacts search index: one row per company/person with a normalised
haystack, kept in step by services/contact_search.py.

Not an ORM model: nobody reads it but the search service, which always joins
its ids back to Company/Person so record rules apply. The full-text index
over it is dialect-specific and lives in migration 0002 only: SQLite an FTS5
trigram table (`<table>_fts`, external content), PostgreSQL GIN pg_trgm
indexes on `haystack` and `grams`.
"""
from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text

from .company import Company
from .person import Person


def search_table(contact_table: str) -> Table:
    return Table(
        f"{contact_table}_search", Model.metadata,
        Column("contact_id", Integer,
               ForeignKey(f"{contact_table}.id", ondelete="CASCADE"), primary_key=True),
        # name lower-cased, e-mails, phones (E.164 and national digits), one per line
        Column("haystack", Text, nullable=False),
        # " 王 芳 王芳 ": CJK unigrams and bigrams, for queries under 3 characters
        Column("grams", Text, nullable=False),
    )


company_search = search_table("contacts_company")
person_search = search_table("contacts_person")

# lists are ordered by name; a salesperson's list is filtered by owner_id:
# one index serves both filter and order, so deep pages stay an index walk
for _model in (Company, Person):
    _table = _model.__table__
    Index(f"ix_{_table.name}_owner_name", _table.c.owner_id, _table.c.name, _table.c.id)
