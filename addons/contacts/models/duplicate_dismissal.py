"""A pair of contacts someone marked "not a duplicate": the groups screen hides it.

Plain ids, no foreign keys: a merge moves every foreign key to contacts onto the
survivor, which would turn a dismissal into a pair of the survivor with itself;
services/merge_contacts.py deletes the losers' dismissals instead.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ContactDuplicateDismissal(Model):
    __tablename__ = "contacts_duplicate_dismissal"
    __table_args__ = (UniqueConstraint("kind", "first_id", "second_id",
                                       name="uq_contacts_duplicate_dismissal_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # company / person
    first_id: Mapped[int] = mapped_column(Integer)  # the smaller id of the pair
    second_id: Mapped[int] = mapped_column(Integer, index=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))
    dismissed_on: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
