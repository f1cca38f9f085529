"""Merge duplicate contacts into one: a command that validates, then acts in
one transaction (committed at the end, rolled back on any failure).

`merge(session, kind, survivor_id, loser_ids, field_values) -> survivor`
    kind: "company" or "person". field_values: {field: id of the contact
    whose value the survivor keeps}, for fields in `mergeable_fields(kind)`
    (custom fields as "custom:<key>"); a field not named keeps the
    survivor's value. The actor must be able to read and write every contact
    involved (record rules). Then:
    - the survivor takes the chosen values;
    - phones and e-mails are unioned (a loser's row whose normalised key the
      survivor already has is dropped), tags too;
    - every foreign key to the contact's table declared in Model.metadata,
      whatever addon declared it, is moved to the survivor; where the move
      would break a primary key or unique constraint holding that column (tag
      links, a custom field's value), the survivor's row is kept and the
      loser's dropped;
    - the losers are deleted, and one audit event "merge" records survivor,
      losers, chosen values and moved references per table.
"""
from __future__ import annotations

from sqlalchemy import and_, delete, inspect, select, update
from sqlalchemy.orm import Session

from core.addons.model_extension import is_hidden_column
from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write

from ..rules.field_error import ContactFieldError
from .custom_fields import values as custom_fields
from .duplicates.detection import model_of
from .duplicates.policy import forget_dismissals
from .search.index import reindex

SHARED_FIELDS = ["name", "street", "city", "province", "postal_code", "country_code",
                 "website", "industry", "source", "tier_id", "owner_id", "team_id", "notes"]
KIND_FIELDS = {"company": ["tax_id"], "person": ["job_title", "company_id"]}
CUSTOM = "custom:"


class MergeError(ContactFieldError):
    """A merge that cannot be done as asked; `field` names the offending input."""


def _plain(value):
    """A value as the audit event's JSON holds it."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def mergeable_fields(kind: str) -> list[str]:
    """The plain fields whose value the user picks (custom fields come on top)."""
    return SHARED_FIELDS + KIND_FIELDS[kind]


def custom_values(session: Session, contacts) -> dict[int, dict]:
    """{contact id: {key: value}} of the contacts' custom fields."""
    return {c.id: custom_fields.values_of(session, c) for c in contacts}


def load_contacts(session: Session, kind: str, ids) -> list:
    """The contacts, in the order of `ids`, as the actor's record rules show them."""
    model = model_of(kind)
    found = {c.id: c for c in session.scalars(select(model).where(model.id.in_(list(ids))))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise MergeError("contacts", f"{kind} #{missing[0]} does not exist or is not visible "
                                     "to you")
    return [found[i] for i in ids]


def _validate(session: Session, kind: str, survivor_id, loser_ids, field_values):
    model_of(kind)
    loser_ids = list(dict.fromkeys(loser_ids))
    if not loser_ids:
        raise MergeError("losers", "pick at least one contact to merge into the survivor")
    if survivor_id in loser_ids:
        raise MergeError("survivor", "the surviving contact cannot also be merged away")
    contacts = load_contacts(session, kind, [survivor_id, *loser_ids])
    for contact in contacts:  # the flush would refuse too, but only once halfway
        if not may_write(session, contact):
            raise AccessDenied(f"{kind} #{contact.id} ({contact.name}): you may not "
                               "change it, so you cannot merge it")
    allowed = set(mergeable_fields(kind))
    ids = {c.id for c in contacts}
    for field, source in field_values.items():
        if field not in allowed and not field.startswith(CUSTOM):
            raise MergeError(field, "not a field a merge can choose")
        if source not in ids:
            raise MergeError(field, f"#{source} is not one of the contacts being merged")
    return contacts[0], contacts[1:]


def _apply_choices(session, survivor, contacts, field_values) -> dict:
    by_id = {c.id: c for c in contacts}
    chosen = {}
    customs = custom_values(session, contacts)
    custom_set = {}
    for field, source in sorted(field_values.items()):
        if field.startswith(CUSTOM):
            key = field[len(CUSTOM):]
            value = customs.get(source, {}).get(key)
            custom_set[key] = value
        else:
            value = getattr(by_id[source], field)
            setattr(survivor, field, value)
        chosen[field] = {"from": source, "value": _plain(value)}
    if custom_set:
        custom_fields.set_values(session, survivor, custom_set)
    session.flush()  # record rules check the survivor as changed here
    return chosen


def _drop_repeated_channels(session, survivor, losers) -> None:
    """A loser's phone or e-mail the survivor (or an earlier loser) already has goes."""
    for rows_of, key_of in ((lambda c: c.phones, lambda r: r.e164),
                            (lambda c: c.emails, lambda r: r.normalised)):
        seen = {key_of(r) for r in rows_of(survivor)}
        for loser in losers:
            for row in list(rows_of(loser)):
                if key_of(row) in seen:
                    session.delete(row)
                else:
                    seen.add(key_of(row))
    session.flush()


def references_to(table_name: str):
    """(table, column) of every single-column foreign key to `table_name` in the metadata."""
    from flask_appbuilder import Model

    found = []
    for table in Model.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name and len(fk.constraint.columns) == 1:
                found.append((table, fk.parent))
    return found


def _unique_sets(table, column) -> list[list]:
    """The primary key / unique constraints / unique indexes of `table` holding `column`."""
    sets = []
    if column in table.primary_key.columns.values():
        sets.append(list(table.primary_key.columns))
    for constraint in table.constraints:
        if constraint.__class__.__name__ == "UniqueConstraint" and column in constraint.columns.values():
            sets.append(list(constraint.columns))
    for index in table.indexes:
        if index.unique and column in index.columns.values():
            sets.append(list(index.columns))
    # the column alone (a one-to-one row such as a search index entry) counts
    # too: the survivor's row is kept, a loser's dropped
    return sets


def _drop_conflicts(conn, table, column, survivor_id, loser_ids) -> int:
    """Delete loser rows that would repeat a survivor's (or earlier loser's) unique key."""
    dropped = 0
    for cols in _unique_sets(table, column):
        others = [c for c in cols if c is not column]
        rows = conn.execute(select(column, *others).where(
            column.in_([survivor_id, *loser_ids]))).all()
        seen = {tuple(r[1:]) for r in rows if r[0] == survivor_id}
        for loser_id in loser_ids:
            for row in rows:
                if row[0] != loser_id or any(v is None for v in row[1:]):
                    continue  # NULLs never collide in a unique key
                values = tuple(row[1:])
                if values in seen:
                    dropped += conn.execute(delete(table).where(and_(
                        column == loser_id, *(c == v for c, v in zip(others, values))))).rowcount
                else:
                    seen.add(values)
    return dropped


def _move_references(session, model, survivor_id, loser_ids) -> dict:
    """Point every foreign key at the survivor; {"table.column": {"moved": n, "dropped": n}}."""
    conn = session.connection()
    existing = set(inspect(conn).get_table_names())
    moved = {}
    for table, column in references_to(model.__tablename__):
        if table.name not in existing or is_hidden_column(column):  # addon not installed
            continue
        dropped = _drop_conflicts(conn, table, column, survivor_id, loser_ids)
        count = conn.execute(update(table).where(column.in_(loser_ids))
                             .values({column.name: survivor_id})).rowcount
        if count or dropped:
            moved[f"{table.name}.{column.name}"] = {"moved": count, "dropped": dropped}
    return moved


def merge(session: Session, kind: str, survivor_id: int, loser_ids, field_values: dict):
    """Merge `loser_ids` into `survivor_id` (see the module docstring); returns the survivor."""
    try:
        survivor, losers = _validate(session, kind, survivor_id, list(loser_ids),
                                     dict(field_values))
        loser_ids = [c.id for c in losers]
        chosen = _apply_choices(session, survivor, [survivor, *losers], dict(field_values))
        _drop_repeated_channels(session, survivor, losers)
        moved = _move_references(session, type(survivor), survivor.id, loser_ids)
        # the search index follows ORM flushes; the moves above were Core updates
        reindex(session, kind, [survivor.id])
        session.expire_all()  # the rows moved underneath the loaded objects
        for loser in load_contacts(session, kind, loser_ids):
            session.delete(loser)
        forget_dismissals(session, kind, loser_ids)
        session.flush()
        record_event(session, "merge", type(survivor).__name__, survivor.id, {
            "survivor": survivor.id, "losers": loser_ids, "chosen": chosen, "moved": moved})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return session.get(type(survivor), survivor_id)
