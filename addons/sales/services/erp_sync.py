"""Confirmed orders to the ERPs: what the order state services call, inside
their transaction, and what the addon registers with the hub.

One hub job per active ERP backend (no backend, no job: the order page says
so, and `crossdock sales erp-resend` sends the confirmed orders a backend has
not seen once one is configured). A cancellation of an order an ERP knows is
a request (order_states.cancel) that the cancel job's outcome settles.

The handlers live in services/erp/: `ORDER_PUSH` (push.py) maps the order
to the neutral `connectors.erp.payloads.SaleOrder` when the job runs and
binds order <-> ERP order and customer <-> ERP customer; `ORDER_CANCEL`
(cancel.py); `ORDER_STATES` (remote_states.py) reads ERP states back.
The customer's stable reference in the ERP is "CD-COMPANY-<id>" or
"CD-PERSON-<id>"; the order's is its number (SO2026-00001).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS

from ..models.sales_order import ERP_MODEL as MODEL, SalesOrder
from .erp.cancel import ORDER_CANCEL
from .erp.push import ORDER_PUSH, serial_key
from .erp.remote_states import ORDER_STATES
from .erp.resend import erp_resend_command
from .erp.totals_check import erp_check_command

__all__ = ["erp_check_command", "erp_resend_command", "known_to_an_erp", "register_with_hub",
           "request_cancel", "request_push"]


def request_push(session: Session, order: SalesOrder) -> list:
    """A push job per active ERP backend, in the caller's transaction."""
    return [hub.enqueue(session, ORDER_PUSH, order.id, backend.id, serial_key=serial_key(order))
            for backend in hub.active_backends(session, ERP_KINDS)]


def known_to_an_erp(session: Session, order: SalesOrder) -> bool:
    """An ERP has the order, or may still get it (a push job exists)."""
    return bool(hub.bindings_for(session, MODEL, [order.id])) or any(
        j.kind == ORDER_PUSH.kind and j.state != "cancelled"
        for j in hub.jobs_for(session, MODEL, [order.id]))


def request_cancel(session: Session, order: SalesOrder) -> list:
    """Cancel in every ERP that has, or may still get, the order (a cancel
    job that failed before is sent again: someone asked again)."""
    backend_ids = {b.id for b in hub.active_backends(session, ERP_KINDS)}
    backend_ids |= {j.backend_id for j in hub.jobs_for(session, MODEL, [order.id])
                    if j.kind == ORDER_PUSH.kind and j.backend_id is not None}
    backend_ids |= {b.backend_id for b in hub.bindings_for(session, MODEL, [order.id])}
    return [hub.enqueue(session, ORDER_CANCEL, order.id, backend_id,
                        serial_key=serial_key(order), retry_failed=True)
            for backend_id in sorted(backend_ids)]


def order_numbers(session: Session, order_ids: list[int]) -> dict[int, str]:
    """What the hub's log lines call an order."""
    return dict(session.execute(select(SalesOrder.id, SalesOrder.number)
                                .where(SalesOrder.id.in_(order_ids))).all())


def register_with_hub() -> None:
    hub.register(ORDER_PUSH, ORDER_CANCEL, ORDER_STATES)
    hub.register_labels(MODEL, order_numbers)
