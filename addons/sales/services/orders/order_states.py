"""Quotation -> sent -> confirmed order -> cancelled: the only way an order's
state changes (forms and REST bodies never write `state`).

    send(session, order)            draft|sent -> sent (printed or mailed)
    confirm(session, order)         draft|sent -> confirmed, + hub job per ERP backend,
                                    after other addons' checks (confirm_checks.py)
    cancel(session, order, reason)  draft|sent|confirmed -> cancelled; a confirmed
                                    order an ERP has (or may have) stays confirmed
                                    with its cancellation pending, + hub cancel jobs
    (customer_timeline.py puts each move on the customer's timeline;
     erp_answers.py settles a pending cancellation with the ERPs' answer)
    reset_to_draft(session, order)  cancelled -> draft, only if it was never
                                    confirmed: the ERP has seen a confirmed
                                    order; make a new quotation instead

Each validates, then acts with ONE conditional UPDATE (`WHERE id = ? AND state
IN (...) AND version = ?`) whose row count says whether this call won: two
concurrent confirmations of one quotation give one confirmed order, one ERP
job per backend and one "already confirmed". Refusals raise before anything is
written. The caller commits (or rolls back). Each move is an audited event.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, selectinload

from core.security.actor import current_actor
from core.security.audit import record_event
from core.security.record_rules import AccessDenied, may_write
from core.user_time import today as local_today

from ...models import Currency
from ...models.sales_order import (
    CANCEL_PENDING, CANCELLED, CONFIRMED, DRAFT, EDITABLE, SENT, SalesOrder,
    SalesOrderLine,
)
from ...rules.money import round_money
from .. import erp_sync
from ..catalog.currency_rates import MissingRate, rate_on
from . import confirm_checks
from .customer_timeline import attach_to_customer
from .order_lines import LineError, check_line
from .state_words import done_word, state_word


class OrderStateError(ValueError):
    """The move is not possible from the order's state (or another request
    moved it first); the message says so. REST answers 409."""


class OrderCheckError(ValueError):
    """The order is not fit for the move (no lines, a bad line, a missing rate
    or customer); `field` and `line_no` say where. REST answers 400."""

    def __init__(self, message: str, field: str | None = None, line_no: int | None = None):
        super().__init__(message)
        self.field, self.line_no = field, line_no


def _may_change(session: Session, order: SalesOrder) -> None:
    if not may_write(session, order):
        raise AccessDenied(gettext("%(number)s: you may not change this order",
                                   number=order.number))


def _check_customer_and_lines(order: SalesOrder) -> None:
    if order.company_id is None and order.person_id is None:
        raise OrderCheckError(gettext("%(number)s: a customer (company or person) is required",
                                      number=order.number), field="customer")
    if not order.lines:
        raise OrderCheckError(gettext("%(number)s: add at least one line first",
                                      number=order.number), field="lines")
    for n, line in enumerate(order.lines, start=1):
        try:
            check_line(line, n)
        except LineError as exc:
            raise OrderCheckError(f"{order.number}: {exc}", field=exc.field,
                                  line_no=n) from None


def _check_rates(session: Session, order: SalesOrder, day: date) -> None:
    currencies: dict[int, Currency] = {order.currency.id: order.currency}
    for line in order.lines:
        currencies.setdefault(line.product.currency_id, line.product.currency)
    for currency in currencies.values():
        try:
            rate_on(session, currency, day)
        except MissingRate as exc:
            raise OrderCheckError(f"{order.number}: {exc}", field="currency") from None


def _move(session: Session, order: SalesOrder, from_states: tuple[str, ...],
          values: dict) -> bool:
    """The conditional UPDATE; True if this call moved the order.

    SQLite refuses a transaction that has read to start writing while another
    writer holds the lock ("database is locked", at once: waiting could
    deadlock). Nothing was written yet, so the transaction is rolled back and
    the same UPDATE runs first in a fresh one, which waits for the other
    writer and then finds the order moved (or, if that one failed, moves it)."""
    statement = (update(SalesOrder)
                 .where(SalesOrder.id == order.id, SalesOrder.state.in_(from_states),
                        SalesOrder.version == order.version)
                 .values(**values, version=SalesOrder.version + 1)
                 .execution_options(synchronize_session=False))
    try:
        result = session.execute(statement)
    except OperationalError:
        if session.get_bind().dialect.name != "sqlite":
            raise
        session.rollback()
        result = session.execute(statement)
    moved = result.rowcount == 1
    # the columns this UPDATE may have changed (or another writer's move did):
    # a full refresh would reload the lines, products and sync state too
    session.refresh(order, attribute_names=list({"state": 0, "version": 0, **values}))
    return moved


def _lost_race(order: SalesOrder, wanted: str) -> OrderStateError:
    if order.state == wanted:
        return OrderStateError(gettext("%(number)s is already %(state)s",
                                       number=order.number, state=state_word(wanted)))
    return OrderStateError(gettext("%(number)s was changed meanwhile (now %(state)s): "
                                   "reload it and try again",
                                   number=order.number, state=state_word(order.state)))


def _refuse_state(order: SalesOrder, action: str) -> OrderStateError:
    if order.state == CONFIRMED and action == "confirm":
        return OrderStateError(gettext("%(number)s is already %(state)s",
                                       number=order.number, state=state_word(CONFIRMED)))
    return OrderStateError(gettext("%(number)s is %(state)s: it cannot be %(done)s",
                                   number=order.number, state=state_word(order.state),
                                   done=done_word(action)))


def _money(order: SalesOrder, amount: Decimal) -> str:
    return f"{round_money(Decimal(amount), order.currency.decimal_places)} {order.currency.code}"


def send(session: Session, order: SalesOrder) -> None:
    """Mark a quotation as sent to the customer (printed or mailed)."""
    _may_change(session, order)
    if order.state not in EDITABLE:
        raise _refuse_state(order, "send")
    _check_customer_and_lines(order)
    if not _move(session, order, EDITABLE, {"state": SENT, "sent_at": datetime.utcnow()}):
        raise _lost_race(order, SENT)
    record_event(session, "send", "SalesOrder", order.id, {"number": order.number})


def confirm(session: Session, order: SalesOrder, today: date | None = None) -> list[str]:
    """Turn a quotation into a confirmed order and ask the hub to send it to
    the ERP. Returns the warnings of other addons' checks (confirm_checks.py)."""
    _may_change(session, order)
    if order.state not in EDITABLE:
        raise _refuse_state(order, "confirm")
    _check_customer_and_lines(order)
    _check_rates(session, order, today or local_today())
    warnings = confirm_checks.run(session, order)
    user_id = current_actor().user_id
    if not _move(session, order, EDITABLE, {
            "state": CONFIRMED, "confirmed_at": datetime.utcnow(),
            "confirmed_by_id": user_id}):
        raise _lost_race(order, CONFIRMED)
    erp_sync.request_push(session, order)  # same transaction: no commit, no job
    record_event(session, "confirm", "SalesOrder", order.id,
                 {"number": order.number, "amount_total": str(order.amount_total),
                  "currency": order.currency.code})
    attach_to_customer(session, order, f"{order.number}: confirmed, "
                        f"{_money(order, order.amount_total)}")
    return warnings


def cancel(session: Session, order: SalesOrder, reason: str) -> None:
    """Cancel a quotation or a confirmed order. A confirmed order that an ERP
    has, or may still get (it has a binding or a push job), is not cancelled
    here: its cancellation is requested from every such ERP and stays pending
    until they answer (erp_answers.settle_cancellation)."""
    _may_change(session, order)
    reason = (reason or "").strip()
    if order.state == CANCELLED:
        raise OrderStateError(gettext("%(number)s is already %(state)s",
                                      number=order.number, state=state_word(CANCELLED)))
    if order.cancel_status == CANCEL_PENDING:
        raise OrderStateError(gettext("%(number)s: its cancellation is already requested; "
                                      "the ERP has not answered yet", number=order.number))
    if not reason:
        raise OrderCheckError(gettext("%(number)s: give a reason to cancel",
                                      number=order.number), field="reason")
    was = order.state
    user_id = current_actor().user_id
    if was == CONFIRMED and erp_sync.known_to_an_erp(session, order):
        if not _move(session, order, (CONFIRMED,), {
                "cancel_status": CANCEL_PENDING, "cancel_requested_at": datetime.utcnow(),
                "cancel_requested_by_id": user_id, "cancel_reason": reason[:2000],
                "cancel_refusal": None}):
            raise _lost_race(order, CANCELLED)
        erp_sync.request_cancel(session, order)
        record_event(session, "cancel_requested", "SalesOrder", order.id,
                     {"number": order.number, "reason": reason[:2000]})
        return
    values = {"state": CANCELLED, "cancelled_at": datetime.utcnow(),
              "cancelled_by_id": user_id, "cancel_reason": reason[:2000],
              "cancel_status": None, "cancel_refusal": None}
    if not _move(session, order, (was,), values):
        raise _lost_race(order, CANCELLED)
    if was == CONFIRMED:
        erp_sync.request_cancel(session, order)  # a backend may have been added meanwhile
        attach_to_customer(session, order, f"{order.number}: cancelled ({reason[:100]})")
    record_event(session, "cancel", "SalesOrder", order.id,
                 {"number": order.number, "from": was, "reason": reason[:2000]})


def reset_to_draft(session: Session, order: SalesOrder) -> None:
    """Reopen a cancelled quotation that was never confirmed."""
    _may_change(session, order)
    if order.state != CANCELLED:
        raise _refuse_state(order, "reset")
    if order.confirmed_at is not None:
        raise OrderStateError(gettext("%(number)s was confirmed before it was cancelled: "
                                      "the ERP knows it; create a new quotation instead",
                                      number=order.number))
    if not _move(session, order, (CANCELLED,), {
            "state": DRAFT, "cancelled_at": None, "cancelled_by_id": None,
            "cancel_reason": None}):
        raise _lost_race(order, DRAFT)
    record_event(session, "reset_to_draft", "SalesOrder", order.id, {"number": order.number})


def load_for_update(session: Session, order_id: int) -> SalesOrder | None:
    """The order (record rules applied) with currency, lines and products, in
    three queries: what confirm, the screens and the print page all read."""
    return session.scalars(
        select(SalesOrder).where(SalesOrder.id == order_id)
        .options(joinedload(SalesOrder.currency),
                 selectinload(SalesOrder.lines).selectinload(SalesOrderLine.product))
    ).first()
