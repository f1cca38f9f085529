"""An order's amounts, kept in step with its lines in one place.

A flush listener (registered by listeners.py) recomputes every quotation
(draft or sent) whose lines or currency changed: each line's amounts from its
quantity, price, discount and tax (rules/line_amounts.py, rounded per line to
the order currency), then the order's sums. Forms, REST, the line editor and scripts never compute amounts. The
tax's rate and price_include are copied onto the line here, so an order keeps
the tax it was written with.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ...models import Currency, Tax
from ...models.sales_order import EDITABLE, SalesOrder, SalesOrderLine
from ...rules.line_amounts import Amounts, line_amounts, sum_amounts

ZERO_RATE = 0


def related(session: Session, obj, relation: str, fk: str, model):
    """The related row as it will be after flush, whether the code set the
    relationship or only the id (which reaches the other side at flush only)."""
    hist = inspect(obj).attrs[relation].history
    if hist.added:
        return hist.added[0]
    value = getattr(obj, fk)
    return session.get(model, value) if value is not None else None


def _line_amounts(session: Session, line: SalesOrderLine, places: int) -> Amounts:
    tax = related(session, line, "tax", "tax_id", Tax)
    line.tax_rate = tax.rate if tax is not None else ZERO_RATE
    line.price_include = bool(tax and tax.price_include)
    amounts = line_amounts(Decimal(line.unit_price), Decimal(line.quantity),
                           Decimal(line.discount or 0), Decimal(line.tax_rate),
                           line.price_include, places)
    line.amount_untaxed, line.amount_tax, line.amount_total = (
        amounts.untaxed, amounts.tax, amounts.total)
    return amounts


def recompute(session: Session, order: SalesOrder) -> None:
    """Set the amounts of `order`'s lines and the order's sums (no flush)."""
    currency = related(session, order, "currency", "currency_id", Currency)
    places = currency.decimal_places if currency is not None else 2
    lines = [line for line in order.lines if line not in session.deleted]
    total = sum_amounts((_line_amounts(session, line, places) for line in lines), places)
    order.amount_untaxed, order.amount_tax, order.amount_total = (
        total.untaxed, total.tax, total.total)
    # an UPDATE of the order even if the sums did not move: it bumps the
    # version, so a confirmation checked against the old lines cannot land
    flag_modified(order, "amount_total")


def _touched_orders(session: Session) -> set[SalesOrder]:
    orders = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SalesOrderLine):
            order = obj.order
            if order is None and obj.order_id is not None:
                order = session.get(SalesOrder, obj.order_id)
            if order is not None:
                orders.add(order)
        elif isinstance(obj, SalesOrder) and (obj in session.new or session.is_modified(obj)):
            orders.add(obj)
    return {o for o in orders if o not in session.deleted}


def keep_totals_in_step(session: Session, _ctx, _instances) -> None:
    """before_flush (listeners.py): recompute the touched quotations."""
    for order in _touched_orders(session):
        hist = inspect(order).attrs.state.history
        state = hist.deleted[0] if hist.deleted else order.state
        if (state or "draft") in EDITABLE:  # locked orders are refused by order_lock
            recompute(session, order)
