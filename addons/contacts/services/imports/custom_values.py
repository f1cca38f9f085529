"""Custom field values written by an import in bulk.

Parsing and the required check are services/custom_fields/values.py's
(parse_value, per cell, in the preview); this only inserts the parsed values
of newly created contacts in one statement, where set_values would load
every contact.
"""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ...models.custom_value import VALUE_COLUMN, CustomValue
from ..custom_fields.values import fields_for


def insert_custom_values(session: Session, kind: str, values: list[tuple[int, dict]]) -> None:
    """Store {key: parsed value} per new contact id (None and "" are left out)."""
    if not values:
        return
    fields = {f.key: f for f in fields_for(session, kind)}
    parent = "company_id" if kind == "company" else "person_id"
    empty = {column: None for column in set(VALUE_COLUMN.values())}
    rows = [{**empty, "field_id": fields[key].id, parent: contact_id,
             VALUE_COLUMN[fields[key].field_type]: value}
            for contact_id, by_key in values for key, value in by_key.items()
            if value is not None and value != ""]
    if rows:
        session.execute(insert(CustomValue.__table__), rows)
