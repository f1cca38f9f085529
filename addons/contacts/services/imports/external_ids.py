"""The binder of external ids: which contact here an id of a source system names.

One id per (kind, source system, external id); a binding whose contact was
deleted is ignored (and replaced by the next import that binds the id).

Our own exports write the system "crossdock" and an id unique across
instances: the contact's own "crossdock" binding when it came from another
Crossdock (so identity survives a chain of migrations), else this instance's
token and the contact's id ("3f9c2a1b:company_42"). An id carrying this
instance's token names the contact directly, so an export re-imported here
finds every contact it came from. The token is made on first use, so a copy
of a database made before any export or import gets its own; a copy made
after shares it (as a restored backup should).
"""
from __future__ import annotations

import re
import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ...models import Company, ContactExternalId, Person

MODELS = {"company": Company, "person": Person}

CHUNK = 500
CROSSDOCK = "crossdock"  # the source system of our own exports
INSTANCE = "instance"  # the kind of the one row holding this instance's token
OWN_ID = re.compile(r"([0-9a-f]{12}):(company|person)_(\d+)")


def instance_token(session: Session, *, commit: bool = False) -> str:
    """This database's token for the ids its exports write (made on first use;
    `commit`: in its own commit, for a caller that does not commit, an export)."""
    table = ContactExternalId
    token = session.scalar(select(table.external_id).where(
        table.kind == INSTANCE, table.system == CROSSDOCK).order_by(table.id).limit(1))
    if token is None:
        token = uuid.uuid4().hex[:12]
        session.execute(insert(table.__table__), [{"kind": INSTANCE, "system": CROSSDOCK,
                                                   "external_id": token, "contact_id": 0}])
        if commit:
            session.commit()
    return token


def exported_ids(session: Session, kind: str, contact_ids) -> dict[int, str]:
    """{contact id: the id our export writes for it} (see the module's docstring)."""
    token = instance_token(session)
    inherited = external_ids_of(session, kind, CROSSDOCK, contact_ids)
    return {cid: inherited.get(cid) or f"{token}:{kind}_{cid}" for cid in contact_ids}


def bound(session: Session, kind: str, system: str, ids, *,
          visible_only: bool = False) -> dict[str, int]:
    """{external id: contact id} for those of `ids` bound to a contact that exists
    (`visible_only`: that the record rules let the current user see)."""
    model, table = MODELS[kind], ContactExternalId
    ids, found = sorted(set(ids)), {}
    options = {} if visible_only else {"skip_record_rules": True}
    if system == CROSSDOCK:
        token = instance_token(session)
        own = {}
        for i in ids:
            match = OWN_ID.fullmatch(i)
            if match and match.group(1) == token and match.group(2) == kind:
                own[int(match.group(3))] = i
        ids = [i for i in ids if i not in set(own.values())]
        keys = sorted(own)
        for start in range(0, len(keys), CHUNK):
            for (cid,) in session.execute(select(model.id).where(
                    model.id.in_(keys[start:start + CHUNK])), execution_options=options):
                found[own[cid]] = cid
    for start in range(0, len(ids), CHUNK):
        stmt = (select(table.external_id, table.contact_id)
                .join(model, model.id == table.contact_id)
                .where(table.kind == kind, table.system == system,
                       table.external_id.in_(ids[start:start + CHUNK])))
        found.update(session.execute(stmt, execution_options=options).all())
    return found


def bind(session: Session, kind: str, system: str, pairs: dict[str, int]) -> None:
    """Bind each external id to its contact (replacing a binding to a deleted contact)."""
    if not pairs:
        return
    table, ids = ContactExternalId, sorted(pairs)
    known = bound(session, kind, system, ids)
    stale = [i for i in ids if i not in known]
    for start in range(0, len(stale), CHUNK):
        session.execute(delete(table).where(table.kind == kind, table.system == system,
                                            table.external_id.in_(stale[start:start + CHUNK])))
    rows = [{"kind": kind, "system": system, "external_id": i, "contact_id": pairs[i]}
            for i in stale]
    if rows:
        session.execute(insert(table.__table__), rows)


def external_ids_of(session: Session, kind: str, system: str, contact_ids) -> dict[int, str]:
    """{contact id: its external id in `system`}."""
    table, ids, found = ContactExternalId, sorted(set(contact_ids)), {}
    for start in range(0, len(ids), CHUNK):
        found.update({cid: ext for cid, ext in session.execute(
            select(table.contact_id, table.external_id).where(
                table.kind == kind, table.system == system,
                table.contact_id.in_(ids[start:start + CHUNK])))})
    return found
