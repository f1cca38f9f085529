"""Blanking a person's data in the audit log after an erasure (PIPL art. 47,
GDPR art. 17): the rows stay (who did what, when, under which request), the
erased values in their `changes` become `ERASED`.

1. `erasure_start(session)` before the erasure changes anything: the audit
   rows after it under this request id are the erasure's own (its updates
   and deletes, with the values they took away), not those of a transaction
   committing meanwhile.
2. `blank_erased(session, since, identifiers)` once the erasure is flushed:
   in every row of the records the erasure changed or deleted, the values of
   the fields it changed, except each field's value after the erasure (a
   placeholder name stays readable); in every other row, any text holding
   one of `identifiers` (the person's name, e-mails, phones, social ids).
The database refuses any other change to the log (platform migration 0014).
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Text, cast, func, or_, select, update
from sqlalchemy.orm import Session

from .actor import current_request_id
from .audit import AuditLog

ERASED = "[erased]"
_CHUNK = 200  # records per OR of (model, record id) conditions


def erasure_start(session: Session) -> int:
    return session.scalar(select(func.max(AuditLog.id))) or 0


def blank_erased(session: Session, since: int, identifiers: Iterable[str]) -> int:
    """Blank what the erasure (the audit rows after `since`) took away; returns
    how many audit rows were changed."""
    session.flush()
    final: dict[tuple[str, str], dict] = {}  # record -> field -> value after the erasure
    for row in session.execute(select(AuditLog.model, AuditLog.record_id, AuditLog.action,
                                      AuditLog.changes)
                               .where(AuditLog.id > since,
                                      AuditLog.request_id == current_request_id(),
                                      AuditLog.action.in_(("update", "delete")))
                               .order_by(AuditLog.id)):
        fields = final.setdefault((row.model, row.record_id), {})
        for field, change in (row.changes or {}).items():
            fields[field] = change[1] if isinstance(change, list) and len(change) == 2 else None
    needles = sorted({v.strip().casefold() for v in identifiers if v and _distinctive(v.strip())})
    changed = 0
    for audit_id, changes, key in _candidates(session, list(final), needles):
        blanked = _blank(changes, final.get(key, {}), needles)
        if blanked != changes:
            session.execute(update(AuditLog.__table__).where(AuditLog.id == audit_id)
                            .values(changes=blanked))
            changed += 1
    return changed


def _distinctive(value: str) -> bool:
    """Long enough to stand for the person: 3 characters, or 2 Chinese (王伟)."""
    return len(value) >= 3 or (len(value) == 2 and all("\u4e00" <= c <= "\u9fff" for c in value))


def _candidates(session: Session, records: list[tuple[str, str]], needles: list[str]):
    """(id, changes, (model, record id)) of the rows that may hold erased data:
    the records' rows by index, then one scan for the needles."""
    conditions = []
    for start in range(0, len(records), _CHUNK):
        conditions.append(or_(*((AuditLog.model == model) & (AuditLog.record_id == rid)
                                for model, rid in records[start:start + _CHUNK])))
    text = func.lower(cast(AuditLog.changes, Text))
    forms = {form.lower() for needle in needles  # as the JSON text holds it: \u escapes, or not
             for form in (json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1])}
    if forms:
        conditions.append(or_(*(text.contains(form, autoescape=True) for form in sorted(forms))))
    if not conditions:
        return
    seen = set()
    for condition in conditions:
        for row in session.execute(select(AuditLog.id, AuditLog.changes, AuditLog.model,
                                          AuditLog.record_id).where(condition)):
            if row.id not in seen and row.changes:
                seen.add(row.id)
                yield row.id, row.changes, (row.model, row.record_id)


def _blank(changes, fields: dict, needles: list[str]):
    out = {}
    for field, value in changes.items():
        if field in fields:
            keep = fields[field]
            value = ([_blank_value(v, keep) for v in value] if isinstance(value, list)
                     else _blank_value(value, keep))
        out[field] = _blank_text(value, needles)
    return out


def _blank_value(value, keep):
    return value if value is None or value == keep else ERASED


def _blank_text(value, needles: list[str]):
    if isinstance(value, str):
        folded = value.casefold()
        return ERASED if any(n in folded for n in needles) else value
    if isinstance(value, list):
        return [_blank_text(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _blank_text(v, needles) for k, v in value.items()}
    return value
