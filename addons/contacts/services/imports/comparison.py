"""What an import row would change in an existing contact, by the update's rule
(commit.py: non-empty cells win, phones, e-mails and tags add up, custom values
replace): an empty answer means the row is already in the base (unchanged).
Text compares with runs of whitespace as one space.
Snapshots are read in bulk, whoever owns the contacts."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ContactEmail, ContactPhone, Tag
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
    """The comparable state of these contacts (plain selects: a re-import of a
    large file compares every row)."""
    model, ids, found = MODELS[kind], sorted(set(ids)), {}
    fields = {f.key: f for f in custom_fields_for(session, kind)}
    columns = [c for c in COMPARED if hasattr(model, c)]
    parent = ContactPhone.company_id if kind == "company" else ContactPhone.person_id
    email_parent = ContactEmail.company_id if kind == "company" else ContactEmail.person_id
    links = model.tags.property.secondary
    skip = {"skip_record_rules": True}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for row in session.execute(select(model.id, *(getattr(model, c) for c in columns))
                                   .where(model.id.in_(chunk)), execution_options=skip):
            found[row[0]] = Snapshot(dict(zip(columns, row[1:])))
        for cid, e164 in session.execute(select(parent, ContactPhone.e164).where(
                parent.in_(chunk)), execution_options=skip):
            found[cid].phones.add(e164)
        for cid, key in session.execute(select(email_parent, ContactEmail.normalised).where(
                email_parent.in_(chunk)), execution_options=skip):
            found[cid].emails.add(key)
        for cid, name in session.execute(select(links.c.contact_id, Tag.name)
                                         .join(Tag, Tag.id == links.c.tag_id)
                                         .where(links.c.contact_id.in_(chunk))):
            found[cid].tags.add(name)
        custom = values_for(session, kind, chunk) if fields else {}
        for cid, stored in custom.items():
            for key, value in stored.items():
                try:
                    found[cid].custom[key] = (parse_value(fields[key], _display(value))
                                              if key in fields else value)
                except Exception:  # a stored value the field no longer accepts: it differs
                    found[cid].custom[key] = value
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
