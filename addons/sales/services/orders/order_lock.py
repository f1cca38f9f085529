"""A confirmed or cancelled order is locked: nothing changes it or its lines
except the state services (services/orders/order_states.py, which write through
conditional UPDATEs, not through a flush of the order).

The guard sits in the session (before_flush, registered by listeners.py),
so every path meets it: the edit form, a REST PUT, the line editor, a
script. Screens and the API check `refuse_if_locked` first to answer with a
clear message; the guard is the backstop that keeps the database as it was.
"""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ...models.sales_order import EDITABLE, SalesOrder, SalesOrderLine


class OrderLocked(ValueError):
    """A change to a confirmed or cancelled order; the message names it."""


def locked_message(order: SalesOrder, state: str | None = None) -> str:
    return (f"{order.number} is {state or order.state}: a confirmed or cancelled order "
            "cannot be changed (cancel it to stop it)")


def refuse_if_locked(order: SalesOrder) -> None:
    if order.state not in EDITABLE:
        raise OrderLocked(locked_message(order))


def _loaded_state(order: SalesOrder) -> str:
    """The state as read from the database, before any change in this session."""
    hist = inspect(order).attrs.state.history
    return hist.deleted[0] if hist.deleted else order.state


def _order_of(session: Session, line: SalesOrderLine) -> SalesOrder | None:
    hist = inspect(line).attrs.order.history
    if hist.deleted and hist.deleted[0] is not None:  # moved away from an order
        return hist.deleted[0]
    if line.order is not None:
        return line.order
    return session.get(SalesOrder, line.order_id) if line.order_id else None


def refuse_changes_to_locked_orders(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): raise OrderLocked for a changed locked order or line."""
    for obj in (*session.dirty, *session.deleted, *session.new):
        if isinstance(obj, SalesOrder):
            if obj in session.new:
                continue
            if obj not in session.deleted and not session.is_modified(obj):
                continue
            order = obj
        elif isinstance(obj, SalesOrderLine):
            order = _order_of(session, obj)
            if order is None or order in session.new:
                continue
        else:
            continue
        state = _loaded_state(order)
        if state not in EDITABLE:
            raise OrderLocked(locked_message(order, state))
