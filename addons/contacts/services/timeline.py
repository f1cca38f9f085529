"""A contact's timeline: what happened with a company or a person, newest first.

Public for other addons. The contact passed in must have been loaded through
the ORM session (``session.get(Company, pk)``), so the record rules already
decided that the caller may see it; entries have no rules of their own and are
reached only through this module.

``attach(session, contact, kind, subject, *, body=None, occurred_at=None,
author_id=None, source=None, url=None) -> TimelineEntry``
    Put a record of another addon on the contact's timeline (a mail, an order,
    an invoice, a ticket). ``kind`` is one of KINDS or one declared with
    ``declare_kind``; ``subject`` at most 255 characters; ``occurred_at`` an
    aware datetime (default: now, UTC); ``source`` a pair ``(model, id)`` such
    as ``("sales.order", 42)``: attaching the same source to the same contact
    again updates and returns the entry already there instead of adding one;
    ``url`` links to that record. Needs read access to the contact only (a
    support agent's ticket may land on a company the agent cannot edit).
    Flushes, never commits.

``log_activity(session, contact, kind, subject, *, body=None, occurred_at=None,
author_id=None) -> TimelineEntry``
    A note, call or meeting typed by a user: the kind must be one of LOGGED
    and the actor must be allowed to write the contact (AccessDenied otherwise).

``entries_of(session, contact, *, kinds=None, limit=50, before=None,
include_people=False) -> list[TimelineEntry]``
    Newest first (occurred_at, then id). ``before`` is the ``cursor_of`` the
    last entry of the previous page. ``include_people`` adds, for a company,
    the entries of its people the reader may see.

``detach(session, source=(model, id)) -> int``
    The record ``source`` was deleted: its entries stay as history but no
    longer link to it (source and url cleared). Call it where the record is
    deleted (sales does it in a session listener, for every path). Returns how
    many entries were detached. Flushes nothing; safe inside ``before_flush``.

``blank(session, sources=[(model, id), ...], subject) -> int``
    Those records' data was erased (a person's erasure): their entries, on
    every contact's timeline, keep kind, time and link, and read `subject`
    with no body. Through the ORM (audited). Returns how many entries.

``detach_addon(session, addon) -> int``
    Every entry whose source is a record of ``addon`` (``"<addon>.<model>"``):
    for that addon's ``pre_uninstall``, when its records are about to go.

``declare_kind(kind, label, icon)``: a kind of another addon, with its label
and Font Awesome icon. Invalid input raises ContactFieldError naming the field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from core.security.record_rules import AccessDenied, may_write

from ..models import Company, Person
from ..models.timeline_entry import TimelineEntry
from ..rules.field_error import ContactFieldError

MAX_SUBJECT = 255
MAX_BODY = 10_000
MAX_KIND = 32
MAX_PAGE = 200
LOGGED = ("note", "call", "meeting")


@dataclass(frozen=True)
class Kind:
    label: object  # a lazy string: translated when shown
    icon: str


KINDS: dict[str, Kind] = {
    "note": Kind(_l("Note"), "fa-sticky-note"),
    "call": Kind(_l("Call"), "fa-phone"),
    "meeting": Kind(_l("Meeting"), "fa-users"),
    "mail": Kind(_l("E-mail"), "fa-envelope"),
    "order": Kind(_l("Order"), "fa-shopping-cart"),
    "invoice": Kind(_l("Invoice"), "fa-file-text"),
    "ticket": Kind(_l("Ticket"), "fa-life-ring"),
}


def declare_kind(kind: str, label, icon: str = "fa-circle") -> None:
    """Let another addon attach entries of its own kind."""
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"timeline kind must be 1..{MAX_KIND} characters: {kind!r}")
    KINDS[kind] = Kind(label, icon)


def kind_of(entry: TimelineEntry) -> Kind:
    """Label and icon of an entry (a kind no longer declared shows as itself)."""
    return KINDS.get(entry.kind) or Kind(entry.kind, "fa-circle")


def _parent(contact) -> dict:
    if isinstance(contact, Company):
        return {"company_id": contact.id}
    if isinstance(contact, Person):
        return {"person_id": contact.id}
    raise TypeError(f"not a contact: {contact!r}")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _check(kind: str, subject: str, body: str | None, occurred_at, url) -> tuple:
    if kind not in KINDS:
        raise ContactFieldError("kind", f"unknown timeline kind '{kind}' "
                                f"(one of: {', '.join(sorted(KINDS))})")
    subject = (subject or "").strip()
    if not subject:
        raise ContactFieldError("subject", "a subject is required")
    if len(subject) > MAX_SUBJECT:
        raise ContactFieldError("subject", f"at most {MAX_SUBJECT} characters ({len(subject)} given)")
    body = (body or "").strip() or None
    if body and len(body) > MAX_BODY:
        raise ContactFieldError("body", f"at most {MAX_BODY} characters ({len(body)} given)")
    if occurred_at is None:
        occurred_at = _utcnow()
    elif not isinstance(occurred_at, dt.datetime) or occurred_at.tzinfo is None:
        raise ContactFieldError("occurred_at", "a date and time with its time zone is required")
    if url is not None and len(url) > 512:
        raise ContactFieldError("url", "at most 512 characters")
    return subject, body, occurred_at.astimezone(dt.timezone.utc)


def attach(session: Session, contact, kind: str, subject: str, *, body: str | None = None,
           occurred_at: dt.datetime | None = None, author_id: int | None = None,
           source: tuple[str, object] | None = None, url: str | None = None) -> TimelineEntry:
    """See the module docstring."""
    subject, body, when = _check(kind, subject, body, occurred_at, url)
    parent = _parent(contact)
    source_model = source_id = None
    if source is not None:
        source_model, source_id = str(source[0]), str(source[1])
        existing = session.scalars(select(TimelineEntry).filter_by(
            **parent, source_model=source_model, source_id=source_id)).one_or_none()
        if existing is not None:
            existing.kind, existing.subject, existing.body = kind, subject, body
            existing.url = url
            if occurred_at is not None:
                existing.occurred_at = when
            session.flush()
            return existing
    entry = TimelineEntry(**parent, kind=kind, subject=subject, body=body, occurred_at=when,
                          author_id=author_id, source_model=source_model,
                          source_id=source_id, url=url)
    session.add(entry)
    session.flush()
    return entry


def detach(session: Session, *, source: tuple[str, object]) -> int:
    """See the module docstring."""
    model, record_id = str(source[0]), str(source[1])
    return session.execute(
        update(TimelineEntry)
        .where(TimelineEntry.source_model == model, TimelineEntry.source_id == record_id)
        .values(source_model=None, source_id=None, url=None)
        .execution_options(synchronize_session=False)).rowcount or 0


def blank(session: Session, sources, subject: str) -> int:
    """See the module docstring."""
    keys = {(str(model), str(record_id)) for model, record_id in sources}
    entries = [e for model in {m for m, _ in keys} for e in session.scalars(
        select(TimelineEntry).where(TimelineEntry.source_model == model,
                                    TimelineEntry.source_id.in_(
                                        [i for m, i in keys if m == model])))]
    for entry in entries:
        entry.subject, entry.body = subject, None
    return len(entries)


def detach_addon(session: Session, addon: str) -> int:
    """See the module docstring."""
    return session.execute(
        update(TimelineEntry)
        .where(TimelineEntry.source_model.startswith(f"{addon}.", autoescape=True))
        .values(source_model=None, source_id=None, url=None)
        .execution_options(synchronize_session=False)).rowcount or 0


def entries_of_addons(conn, addons: list[str]):
    """Backup provider (core/addons/backup.py): the entries that link to records of
    `addons`, written into their uninstall backup."""
    table = TimelineEntry.__table__
    if not conn.dialect.has_table(conn, table.name):
        return
    for addon in addons:
        rows = conn.execute(select(table).where(
            table.c.source_model.startswith(f"{addon}.", autoescape=True))).mappings()
        for row in rows:
            yield table.name, dict(row)


def may_log(session: Session, contact) -> bool:
    """Whether the current actor may log notes, calls and meetings on `contact`."""
    return may_write(session, contact)


def log_activity(session: Session, contact, kind: str, subject: str, *,
                 body: str | None = None, occurred_at: dt.datetime | None = None,
                 author_id: int | None = None) -> TimelineEntry:
    """See the module docstring."""
    if kind not in LOGGED:
        raise ContactFieldError("kind", f"'{kind}' cannot be logged by hand "
                                f"(one of: {', '.join(LOGGED)})")
    if not may_log(session, contact):
        raise AccessDenied(f"{type(contact).__name__} #{contact.id}: you may not change "
                           "this contact, so you cannot log on its timeline")
    return attach(session, contact, kind, subject, body=body, occurred_at=occurred_at,
                  author_id=author_id)


def cursor_of(entry: TimelineEntry) -> str:
    """The `before` value for the page after `entry`."""
    return f"{entry.occurred_at.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z_{entry.id}"


def parse_cursor(text: str) -> tuple[dt.datetime, int]:
    """The (occurred_at, id) of a cursor, or ContactFieldError("before")."""
    try:
        at, _, entry_id = text.rpartition("_")
        when = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        return when, int(entry_id)
    except (ValueError, TypeError):
        raise ContactFieldError("before", f"'{text}' is not a timeline cursor") from None


def entries_of(session: Session, contact, *, kinds=None, limit: int = 50,
               before: tuple[dt.datetime, int] | str | None = None,
               include_people: bool = False) -> list[TimelineEntry]:
    """See the module docstring."""
    limit = max(1, min(int(limit), MAX_PAGE))
    if isinstance(before, str):
        before = parse_cursor(before)
    own = _page(session, select(TimelineEntry).filter_by(**_parent(contact)),
                kinds, before, limit)
    if not (isinstance(contact, Company) and include_people):
        return own
    # the people through the ORM, so the record rules keep out those the reader
    # may not see; then their entries by the (person_id, occurred_at) index.
    # Two queries merged here beat one OR over both parents (every entry sorted)
    # and, on PostgreSQL, a join the planner turns into a scan of all entries.
    visible = list(session.scalars(select(Person.id).where(Person.company_id == contact.id)))
    people = _page(session, select(TimelineEntry)
                   .where(TimelineEntry.person_id.in_(visible))
                   .options(selectinload(TimelineEntry.person)), kinds, before, limit
                   ) if visible else []
    merged = sorted(own + people, key=lambda e: (e.occurred_at, e.id), reverse=True)
    return merged[:limit]


def _page(session: Session, stmt, kinds, before, limit: int) -> list[TimelineEntry]:
    if kinds:
        stmt = stmt.where(TimelineEntry.kind.in_(list(kinds)))
    if before is not None:
        at, entry_id = before
        # the first term is a range the (contact, occurred_at) index serves
        stmt = stmt.where(TimelineEntry.occurred_at <= at,
                          or_(TimelineEntry.occurred_at < at, TimelineEntry.id < entry_id))
    stmt = stmt.order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc()).limit(limit)
    return list(session.scalars(stmt))
