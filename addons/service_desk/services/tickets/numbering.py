"""Ticket numbers: "T-000123", one counter for the instance.

The counter's row is locked for the rest of the creating transaction
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's writer already holds the
database lock, core/db.py), so a rolled-back ticket gives its number back and
two tickets never share one; the unique number column is the backstop."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import TicketSequence

PREFIX = "T"
DIGITS = 6


def draw_number(session: Session) -> str:
    take = (select(TicketSequence).where(TicketSequence.prefix == PREFIX)
            .with_for_update().execution_options(populate_existing=True))
    row = session.scalars(take).first()
    if row is None:  # the first ticket: create the row (a racer may too)
        try:
            with session.begin_nested():
                session.add(TicketSequence(prefix=PREFIX, next_number=1))
        except IntegrityError:
            pass
        row = session.scalars(take).one()
    value = row.next_number
    row.next_number = value + 1
    return f"{PREFIX}-{value:0{DIGITS}d}"
