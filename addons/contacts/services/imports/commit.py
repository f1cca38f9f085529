"""Writing an import: every row or none, in one transaction.

The preview is run again first (the base may have changed since the user
looked); a single row with an error, or an 'update' the importer may not
make, refuses the whole import and nothing is written, unless the importer
chose `reject_invalid`: then those rows are rejected (with their reasons in
the report) and the others imported.

The migration report (kept on the batch, `batch.report`) adds up: rows =
created + updated + unchanged + skipped + rejected, one outcome per row.
"updated" counts contacts: a later row of the file that changes a contact an
earlier row already updated is merged into it and counted as skipped. New contacts go in
with bulk INSERTs (contacts, then phones, e-mails and tag links), which is
what makes 100,000 rows fit in seconds; updates of existing contacts go
through the ORM, so the session's record-rule check and audit see them.

Audit: bulk INSERTs bypass the session's per-row audit (after_flush). One
audit row per imported contact would double the write volume of a large
import and make the audit log unreadable, so the import is recorded as one
business event (action "import", the batch id, the counts and the id range
created); each contact's own later changes are audited as usual, and the
batch row keeps the file itself. Updated contacts are audited per row (ORM).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.security.actor import Actor, current_actor
from core.security.audit import record_event

from ...models import ContactEmail, ContactImportBatch, ContactPhone, Tag
from ...models.import_batch import COMMITTED
from ...rules.phone_normalisation import phone_extension
from ..custom_fields.values import set_values as set_custom_values
from ..search.index import reindex
from .custom_values import insert_custom_values
from .mapping import COMPANY
from .external_ids import bind
from .preview import DEFAULT_SYSTEM, SKIP, UNCHANGED, UPDATE, Preview, build_preview
from .rows import MODELS, ParsedRow

CONTACT_COLUMNS = ("name", "street", "city", "province", "postal_code", "country_code",
                   "website", "industry", "source", "notes", "tier_id", "owner_id")
KIND_COLUMNS = {COMPANY: ("tax_id", "tax_id_normalised"), "person": ("job_title", "company_id")}


class ImportRejected(Exception):
    """Nothing was imported; the message says why, `preview` holds the row errors."""

    def __init__(self, message: str, preview: Preview | None = None):
        super().__init__(message)
        self.preview = preview


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _tag_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Ids of these tags, creating the missing ones."""
    found: dict[str, int] = {}
    ordered = sorted(names)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        found.update({n: i for i, n in session.execute(
            select(Tag.id, Tag.name).where(Tag.name.in_(chunk)))})
    missing = [n for n in ordered if n not in found]
    if missing:
        session.execute(insert(Tag.__table__), [{"name": n} for n in missing])
        for start in range(0, len(missing), 500):
            found.update({n: i for i, n in session.execute(
                select(Tag.id, Tag.name).where(Tag.name.in_(missing[start:start + 500])))})
    return found


def _reserve_ids(session: Session, table, count: int) -> list[int]:
    """`count` new primary keys for `table`, taken before the bulk insert."""
    if not count:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count}).scalars())
    # SQLite: the batch claim (an UPDATE) already holds the database's write lock,
    # so no other writer can take these rowids before the insert
    start = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
    return list(range(start, start + count))


def _bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """INSERT many rows; PostgreSQL gets them by COPY (several times faster than
    an executemany of 100,000 rows), in the session's transaction all the same."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection  # psycopg, same transaction
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def _create(session: Session, kind: str, rows: list[ParsedRow], tags: dict[str, int]) -> list[int]:
    model = MODELS[kind]
    columns = CONTACT_COLUMNS + KIND_COLUMNS[kind]
    ids = _reserve_ids(session, model.__table__, len(rows))
    values = [{**{c: r.values.get(c) for c in columns}, "id": cid, "active": True}
              for cid, r in zip(ids, rows)]
    _bulk_insert(session, model.__table__, values)  # known ids: no RETURNING round trips
    parent = "company_id" if kind == COMPANY else "person_id"
    phones, emails, links = [], [], []
    for cid, row in zip(ids, rows):
        phones += [{parent: cid, "kind": k, "number": n, "e164": e,
                    "extension": phone_extension(n) if _may_have_extension(n) else None}
                   for k, n, e in row.phones]
        emails += [{parent: cid, "kind": k, "email": m, "normalised": key}
                   for k, m, key in row.emails]
        links += [{"contact_id": cid, "tag_id": tags[t]} for t in row.tags]
    _bulk_insert(session, ContactPhone.__table__, phones)
    _bulk_insert(session, ContactEmail.__table__, emails)
    _bulk_insert(session, model.tags.property.secondary, links)
    insert_custom_values(session, kind, [(cid, row.custom) for cid, row in zip(ids, rows)
                                         if row.custom])
    return ids


def _may_have_extension(typed: str) -> bool:
    """Cheap test before parsing a number again: an extension needs letters or '#'."""
    return any(not (c.isdigit() or c in " +-()./") for c in typed)


def _update(session: Session, kind: str, row: ParsedRow, contact_id: int,
            tags: dict[str, int]) -> None:
    """Fill the existing contact from the row: non-empty cells win, channels and tags add up."""
    model = MODELS[kind]
    contact = session.get(model, contact_id)  # ORM: record rules apply (read and, at flush, write)
    if contact is None:
        raise ImportRejected(gettext("row %(row)s: contact #%(id)s is not one you may update",
                                     row=row.number, id=contact_id))
    for column in CONTACT_COLUMNS + KIND_COLUMNS[kind]:
        if column == "owner_id" and not row.owner_given:
            continue
        value = row.values.get(column)
        if value not in (None, ""):
            setattr(contact, column, value)
    known_phones = {p.e164 for p in contact.phones}
    for k, number, e164 in row.phones:
        if e164 not in known_phones:
            contact.phones.append(ContactPhone(kind=k, number=number))
            known_phones.add(e164)
    known_emails = {e.normalised for e in contact.emails}
    for k, email, key in row.emails:
        if key not in known_emails:
            contact.emails.append(ContactEmail(kind=k, email=email))
            known_emails.add(key)
    have = {t.name for t in contact.tags}
    for name in row.tags:
        if name not in have:
            contact.tags.append(session.get(Tag, tags[name]))
    if row.custom:
        set_custom_values(session, contact, row.custom)


def commit_import(session: Session, batch_id: int, *, policies: dict[int, str] | None = None,
                  actor: Actor | None = None, reject_invalid: bool = False) -> dict:
    """Import the batch's rows; returns the counts (the report's). ImportRejected
    (nothing written) when a row has an error (unless `reject_invalid`: those
    rows are rejected and the rest imported), the batch is gone or was imported already."""
    actor = actor or current_actor()
    batch = session.get(ContactImportBatch, batch_id)  # record rules: the importer's own
    if batch is None:
        raise ImportRejected(gettext("this import does not exist or is not yours"))
    if batch.status == COMMITTED:
        raise ImportRejected(gettext("this file was imported already"))
    if not batch.mapping:
        raise ImportRejected(gettext("map the file's columns first"))
    if policies is not None:
        batch.policies = {str(k): v for k, v in policies.items()}
    preview = build_preview(session, batch, actor=actor, reuse=True)
    if preview.error_rows and not reject_invalid:
        batch.summary = preview.as_summary()
        session.commit()  # keeps the policies and the errors shown; no contact is written
        raise ImportRejected(gettext("%(n)s row(s) have errors: nothing was imported. Fix the "
                                     "file or the choices and try again.",
                                     n=len(preview.error_rows)), preview)
    try:
        counts = _write(session, batch, preview)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ImportRejected(gettext("the contacts changed since the preview (a tier, company "
                                     "or user was removed): nothing was imported; check "
                                     "again")) from None
    except Exception:
        session.rollback()
        raise
    return counts


def _write(session: Session, batch: ContactImportBatch, preview: Preview) -> dict:
    # claim the batch first: a second process committing the same batch at the
    # same time finds it committed (and waits on PostgreSQL's row lock till then)
    claimed = session.execute(
        update(ContactImportBatch)
        .where(ContactImportBatch.id == batch.id, ContactImportBatch.status != COMMITTED)
        .values(status=COMMITTED, committed_on=_now())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise ImportRejected(gettext("this file was imported already"))
    outcomes: dict[int, str] = {}  # row number -> created/updated/unchanged/skipped/rejected
    reasons: dict[int, list] = {}
    to_create, to_update, bindings = [], [], {}
    for row in preview.rows:
        action = preview.action(row.number)
        dup = preview.duplicates.get(row.number)
        if row.errors:
            outcomes[row.number], reasons[row.number] = "rejected", [list(e) for e in row.errors]
        elif row.number in preview.other_kind:
            outcomes[row.number] = "skipped"
            reasons[row.number] = [["is_company", f"not a {batch.kind}: import it as the other kind"]]
        elif action == UNCHANGED:
            outcomes[row.number] = "unchanged"
            if row.external_id:
                bindings[row.external_id] = dup.matches[0]
        elif action == SKIP:
            outcomes[row.number] = "skipped"
            reasons[row.number] = [["duplicate", _skip_reason(dup)]]
        elif action == UPDATE:
            to_update.append((row, dup.matches[0]))
        else:
            to_create.append(row)
    tags = _tag_ids(session, {t for r in to_create for t in r.tags}
                    | {t for r, _c in to_update for t in r.tags})
    created = _create(session, batch.kind, to_create, tags)
    for row, cid in zip(to_create, created):
        outcomes[row.number] = "created"
        if row.external_id:
            bindings[row.external_id] = cid
    updated: dict[int, int] = {}  # contact id -> the row that updated it first
    for row, contact_id in to_update:
        _update(session, batch.kind, row, contact_id, tags)
        if row.external_id:
            bindings[row.external_id] = contact_id
        if contact_id in updated:
            outcomes[row.number] = "skipped"
            reasons[row.number] = [["duplicate", f"merged into the contact #{contact_id} "
                                                 f"row {updated[contact_id]} updated"]]
        else:
            updated[contact_id] = row.number
            outcomes[row.number] = "updated"
    session.flush()  # updates: record rules checked, audited per row
    bind(session, batch.kind, batch.source_system or DEFAULT_SYSTEM, bindings)
    reindex(session, batch.kind, created + list(updated))  # bulk inserts: the search index by hand
    counts = {"total": len(preview.rows), "created": len(created), "updated": len(updated),
              "unchanged": 0, "skipped": 0, "rejected": 0}
    for outcome in outcomes.values():
        if outcome in ("unchanged", "skipped", "rejected"):
            counts[outcome] += 1
    record_event(session, "import", MODELS[batch.kind].__name__, record_id=batch.id,
                 details={**counts, "batch": batch.id, "filename": batch.filename,
                          "created_ids": [min(created), max(created)] if created else None,
                          "updated_ids": list(updated)})
    session.expire(batch, ["status", "committed_on"])
    batch.summary = {**preview.as_summary(), "result": counts}
    batch.report = {**counts, "rows": {str(n): o for n, o in sorted(outcomes.items())},
                    "reasons": {str(n): r for n, r in sorted(reasons.items())}}
    return counts


def _skip_reason(dup) -> str:
    if dup.matches:
        return "repeats the existing contact " + ", ".join(f"#{i}" for i in dup.matches)
    return f"repeats row {dup.in_file} of the file"

