"""What an import row would change in an existing contact, by the update's rule
(commit.py: non-empty cells win, phones, e-mails and tags add up, custom values
replace): an empty answer means the row is already in the base (unchanged).
Text compares with runs of whitespace as one space.
Snapshots are read in bulk, whoever owns the contacts."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..custom_fields.values import fields_for as custom_fields_for
from ..custom_fields.values import parse_value, values_for
from .rows import MODELS, ParsedRow, fold

CHUNK = 500
COMPARED = ("name", "street", "city", "province", "postal_code", "country_code", "website",
            "industry", "source", "notes", "tier_id", "owner_id", "tax_id", "job_title",
            "company_id")


@dataclass
class Snapshot:
    values: dict
    phones: set = field(default_factory=set)
    emails: set = field(default_factory=set)
    tags: set = field(default_factory=set)
    custom: dict = field(default_factory=dict)


def _display(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def snapshots(session: Session, kind: str, ids) -> dict[int, Snapshot]:
    """The comparable state of these contacts."""
    model, ids, found = MODELS[kind], sorted(set(ids)), {}
    fields = {f.key: f for f in custom_fields_for(session, kind)}
    columns = [c for c in COMPARED if hasattr(model, c)]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        contacts = session.scalars(
            select(model).where(model.id.in_(chunk)).options(
                selectinload(model.phones), selectinload(model.emails), selectinload(model.tags)),
            execution_options={"skip_record_rules": True}).all()
        custom = values_for(session, kind, chunk) if fields else {}
        for c in contacts:
            values = {}
            for key, value in custom.get(c.id, {}).items():
                try:
                    values[key] = parse_value(fields[key], _display(value)) if key in fields else value
                except Exception:  # a stored value the field no longer accepts: it differs
                    values[key] = value
            found[c.id] = Snapshot({k: getattr(c, k) for k in columns},
                                   {p.e164 for p in c.phones}, {e.normalised for e in c.emails},
                                   {t.name for t in c.tags}, values)
    return found


def changes(row: ParsedRow, snap: Snapshot) -> list[str]:
    """The fields the row would change in the contact (empty: nothing)."""
    changed = []
    for key, value in row.values.items():
        if key == "owner_id" and not row.owner_given:
            continue
        if key in snap.values and value not in (None, "") and fold(snap.values[key]) != fold(value):
            changed.append(key)
    if {p[2] for p in row.phones} - snap.phones:
        changed.append("phones")
    if {e[2] for e in row.emails} - snap.emails:
        changed.append("emails")
    if set(row.tags) - snap.tags:
        changed.append("tags")
    changed += [k for k, v in row.custom.items() if v not in (None, "") and snap.custom.get(k) != v]
    return changed
