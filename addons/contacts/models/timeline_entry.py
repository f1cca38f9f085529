"""One event on a contact's timeline: a note, call or meeting a user logged,
or a record another addon attached (a mail, order, invoice, ticket...).

Like phones (see contact_phone.py) an entry has no owner of its own: it is
reached only through its company or person, after the contact passed the
record rules (services/timeline.py is the one door in and out).

`occurred_at` is UTC. It is stored without a zone (SQLite keeps none) and
read back timezone-aware, so both databases compare and page alike.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .contact_phone import ONE_PARENT


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the column."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class TimelineEntry(Model):
    __tablename__ = "contacts_timeline_entry"
    __table_args__ = (
        CheckConstraint(ONE_PARENT, name="ck_contacts_timeline_entry_one_parent"),
        # re-attaching the same record of another addon finds the row already there
        UniqueConstraint("company_id", "source_model", "source_id",
                         name="uq_contacts_timeline_company_source"),
        UniqueConstraint("person_id", "source_model", "source_id",
                         name="uq_contacts_timeline_person_source"),
        # newest first is ORDER BY occurred_at DESC, id DESC: with the id in the
        # index a page is a backward index range scan, no sort
        Index("ix_contacts_timeline_company_at", "company_id", "occurred_at", "id"),
        Index("ix_contacts_timeline_person_at", "person_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # note, call, meeting, mail, order...
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    source_model: Mapped[str | None] = mapped_column(String(128))  # e.g. "sales.order"
    source_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(512))

    company = relationship("Company")
    person = relationship("Person")
    author = relationship("User")

    def __repr__(self):
        return f"{self.kind}: {self.subject}"
