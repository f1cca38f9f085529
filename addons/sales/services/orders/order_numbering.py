"""Order numbers: "SO2026-00001", one series per year, without gaps or twins.

The next value lives in one row per prefix (`sales_order_sequence`), taken by
an UPDATE that holds the row's lock until the creating transaction ends, so
two concurrent creations can never draw the same number (the unique index on
sales_order.number is the backstop). A rolled-back creation gives its number
back. A listener (registered by listeners.py) numbers every new order at
flush: forms, REST and services alike never choose a number themselves.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.user_time import today

from ...models.sales_order import SalesOrder, order_sequence

PREFIX = "SO"
DIGITS = 5


def prefix_for(day: date) -> str:
    return f"{PREFIX}{day.year}-"


def next_number(session: Session, day: date) -> str:
    """Draw the next number of `day`'s year in the session's transaction."""
    prefix = prefix_for(day)
    seq = order_sequence.c
    take = (update(order_sequence).where(seq.prefix == prefix)
            .values(next_value=seq.next_value + 1).returning(seq.next_value))
    conn = session.connection()
    value = conn.execute(take).scalar()
    if value is None:  # first order of the year: create the row (a racer may too)
        try:
            with conn.begin_nested():
                conn.execute(insert(order_sequence).values(prefix=prefix, next_value=0))
        except IntegrityError:
            pass
        value = conn.execute(take).scalar_one()
    return f"{prefix}{value:0{DIGITS}d}"


def number_new_orders(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): a number for each new order without one."""
    for obj in session.new:
        if isinstance(obj, SalesOrder) and not obj.number:
            obj.number = next_number(session, obj.order_date or today())
