"""Invoice numbers: "INV/2026/00001", one gap-free series per kind's series
and fiscal year (the invoice date's year; invoices and down payments "INV",
credit notes "RINV").

The next number lives in an `invoicing_sequence` row, locked for the rest of
the issuing transaction (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the
writing transaction already holds the database lock from BEGIN IMMEDIATE,
core/db.py). A rolled-back issue gives its number back with the row, so no
number is ever skipped; the unique (series, fiscal_year, number) index is the
backstop against twins.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models.invoice_sequence import InvoiceSequence

DIGITS = 5


def lock_sequence(session: Session, series: str, fiscal_year: int) -> InvoiceSequence:
    """The series' row for the year, locked until the transaction ends."""
    take = (select(InvoiceSequence).where(InvoiceSequence.series == series,
                                          InvoiceSequence.fiscal_year == fiscal_year)
            .with_for_update().execution_options(populate_existing=True))
    row = session.scalars(take).first()
    if row is None:  # first number of the year: create the row (a racer may too)
        try:
            with session.begin_nested():
                session.add(InvoiceSequence(series=series, fiscal_year=fiscal_year,
                                            next_number=1))
        except IntegrityError:
            pass
        row = session.scalars(take).one()
    return row


def format_number(series: str, fiscal_year: int, value: int) -> str:
    return f"{series}/{fiscal_year}/{value:0{DIGITS}d}"


def draw_number(session: Session, series: str, fiscal_year: int) -> tuple[int, str]:
    """Take the next number of the series and year (the row stays locked)."""
    row = lock_sequence(session, series, fiscal_year)
    value = row.next_number
    row.next_number = value + 1
    session.flush()
    return value, format_number(series, fiscal_year, value)
