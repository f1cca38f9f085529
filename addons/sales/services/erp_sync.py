"""Confirmed orders to the ERP, through the integration hub: what the state
services call (inside their transaction) and what the addon registers.

- `request_push` / `request_cancel`: one hub job per active ERP backend (no
  backend, no job: the order page says so, and `crossdock sales erp-resend`
  sends the confirmed orders a backend has not seen once one is configured).
  A cancellation of an order an ERP knows is a request (order_states.cancel):
  the cancel job's outcome settles it (services/erp/cancel.py).
- The handlers (services/erp/push.py, cancel.py) map an order to the neutral
  `connectors.erp.payloads.SaleOrder` when the job runs and record the
  bindings: order <-> ERP order (number, state), customer <-> ERP customer.
- A puller reads ERP order states back for the scheduler's status pull.

The customer's stable reference in the ERP is "CD-COMPANY-<id>" or
"CD-PERSON-<id>"; the order's is its number (SO2026-00001). Products are
matched by code; a backend whose codes differ maps them in its options:
{"product_codes": {"CD-HS100": "SCAN-100"}}.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS

from ..models.sales_order import ERP_MODEL as MODEL, SalesOrder
from .erp.cancel import CANCEL, call_cancel, prepare_cancel, settle_cancel
from .erp.push import PUSH, call_push, prepare_push, serial_key, undo_push
from .erp.resend import erp_resend_command
from .erp.status import ErpStatus, erp_status
from .erp.totals_check import erp_check_command

__all__ = ["CANCEL", "PUSH", "ErpStatus", "erp_check_command", "erp_resend_command",
           "erp_status", "prepare_push",
           "register_with_hub", "request_cancel", "request_push"]


def request_push(session: Session, order: SalesOrder) -> list:
    jobs = [hub.enqueue(session, PUSH, order.id, backend.id, serial_key=serial_key(order))
            for backend in hub.active_backends(session, ERP_KINDS)]
    session.expire(order, ["erp_jobs"])  # the order's status shows them from now on
    return jobs


def known_to_an_erp(session: Session, order: SalesOrder) -> bool:
    """An ERP has the order, or may still get it (a push job exists)."""
    return bool(hub.bindings_for(session, MODEL, [order.id])) or any(
        j.kind == PUSH and j.state != "cancelled" for j in hub.jobs_for(session, MODEL, [order.id]))


def request_cancel(session: Session, order: SalesOrder) -> list:
    """Cancel in every ERP that has, or may still get, the order (a cancel
    job that failed before is sent again: someone asked again)."""
    backend_ids = {b.id for b in hub.active_backends(session, ERP_KINDS)}
    backend_ids |= {j.backend_id for j in hub.jobs_for(session, MODEL, [order.id])
                    if j.kind == PUSH and j.backend_id is not None}
    backend_ids |= {b.backend_id for b in hub.bindings_for(session, MODEL, [order.id])}
    jobs = [hub.enqueue(session, CANCEL, order.id, backend_id, serial_key=serial_key(order),
                        retry_failed=True)
            for backend_id in sorted(backend_ids)]
    session.expire(order, ["erp_jobs"])
    return jobs


def pull_states(client, external_ids: list[str]) -> dict:
    return client.order_states(external_ids)


def order_numbers(session: Session, order_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(SalesOrder.id, SalesOrder.number)
                                .where(SalesOrder.id.in_(order_ids))).all())


def register_with_hub() -> None:
    hub.register_labels(MODEL, order_numbers)  # the hub's log lines name the order
    hub.register_handler(hub.Handler(PUSH, MODEL, prepare_push, call_push, undo=undo_push))
    hub.register_handler(hub.Handler(CANCEL, MODEL, prepare_cancel, call_cancel,
                                     on_settled=settle_cancel))
    hub.register_puller(hub.Puller(MODEL, pull_states))
