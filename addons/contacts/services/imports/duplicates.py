"""Which import rows repeat a contact: an earlier row of the same file, or a
contact already in the base (any owner's: a colleague's customer is still a
duplicate), compared on normalised e-mail, E.164 phone and tax id. The base
lookup is duplicate detection's bulk `exact_index` (one rule for duplicates).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..duplicates.detection import exact_index


def base_matches(session: Session, kind: str, rows) -> dict[tuple[str, str], list[int]]:
    """{(key type, key): [existing contact ids]} for every key of these rows."""
    keys: dict[str, set[str]] = {"email": set(), "phone": set(), "tax_id": set()}
    for row in rows:
        for name, key in row.keys():
            keys[name].add(key)
    return exact_index(session, kind, emails=keys["email"], phones=keys["phone"],
                       tax_ids=keys["tax_id"])


def find_in_file(rows) -> dict[int, int]:
    """{row number: number of the earlier row it repeats} within one file."""
    first: dict[tuple[str, str], int] = {}
    repeats = {}
    for row in rows:
        earlier = next((first[key] for key in row.keys() if key in first), None)
        if earlier is not None:
            repeats[row.number] = earlier
            continue
        for key in row.keys():
            first.setdefault(key, row.number)
    return repeats
