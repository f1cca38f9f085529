"""Removing a custom field: its values go with it, in one transaction, audited.

The admin screen shows `values_count` on a confirmation page first; then
`remove_field` deletes the values and the definition and records the event
"custom field removed" with the number of values deleted.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.security.audit import record_event

from ...models.custom_field import CustomField
from ...models.custom_value import CustomValue


def values_count(session: Session, field: CustomField) -> int:
    """How many contacts hold a value of `field` (all of them: only an admin removes fields)."""
    return session.scalar(select(func.count()).select_from(CustomValue)
                          .where(CustomValue.field_id == field.id))


def remove_field(session: Session, field: CustomField) -> int:
    """Delete `field` and its values, audit it, commit; returns the number of values deleted."""
    try:
        count = values_count(session, field)
        # one statement for the values (a field may hold one per contact); the
        # event below records how many went, the definition's delete is audited row by row
        session.execute(delete(CustomValue).where(CustomValue.field_id == field.id))
        details = {"applies_to": field.applies_to, "key": field.key, "label": field.label,
                   "field_type": field.field_type, "values_deleted": count}
        record_event(session, "custom field removed", "CustomField", field.id, details)
        session.delete(field)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return count
