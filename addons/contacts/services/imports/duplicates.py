"""Which import rows repeat a contact: an earlier row of the same file, or a
contact already in the base (any owner's: a colleague's customer is still a
duplicate), compared on normalised e-mail, E.164 phone and tax id; rows
without any of them on their content. The base
lookup is duplicate detection's bulk `exact_index` (one rule for duplicates).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..duplicates.detection import exact_index
from .comparison import changes, snapshots
from .rows import MODELS


def base_matches(session: Session, kind: str, rows) -> dict[tuple[str, str], list[int]]:
    """{(key type, key): [existing contact ids]} for every key of these rows."""
    keys: dict[str, set[str]] = {"email": set(), "phone": set(), "tax_id": set()}
    for row in rows:
        for name, key in row.keys():
            keys[name].add(key)
    return exact_index(session, kind, emails=keys["email"], phones=keys["phone"],
                       tax_ids=keys["tax_id"])


def content_matches(session: Session, kind: str, rows) -> dict[int, int]:
    """{row number: the contact of the same name the row would not change}, for
    rows without e-mail, phone or tax id (identical content is a duplicate)."""
    model = MODELS[kind]
    names = sorted({r.values["name"] for r in rows if r.values.get("name") and not r.errors})
    candidates: dict[str, list[int]] = {}
    for start in range(0, len(names), 500):
        for cid, name in session.execute(
                select(model.id, model.name).where(model.name.in_(names[start:start + 500])),
                execution_options={"skip_record_rules": True}):
            candidates.setdefault(name, []).append(cid)
    snaps = snapshots(session, kind, [c for ids in candidates.values() for c in ids])
    found = {}
    for row in rows:
        for cid in candidates.get(row.values.get("name"), ()):
            if cid in snaps and not changes(row, snaps[cid]):
                found[row.number] = cid
                break
    return found


def _identity(row) -> list[tuple]:
    """What makes two rows of one file the same contact: external id, keys, else content."""
    keys = [("external_id", row.external_id)] if row.external_id else []
    keys += row.keys()
    return keys or [("content", row.content_key())]


def find_in_file(rows) -> dict[int, int]:
    """{row number: number of the earlier row it repeats} within one file."""
    first: dict[tuple, int] = {}
    repeats = {}
    for row in rows:
        keys = _identity(row)
        earlier = next((first[key] for key in keys if key in first), None)
        if earlier is not None:
            repeats[row.number] = earlier
            continue
        for key in keys:
            first.setdefault(key, row.number)
    return repeats
