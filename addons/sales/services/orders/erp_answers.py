"""The ERPs' answer to a requested cancellation (order_states.cancel asks;
the hub's cancel job settles it here, in the job's transaction): pending ->
cancelled once every ERP cancelled the order; refused -> it stays confirmed
with the ERP's reason."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.security.audit import record_event

from ...models.sales_order import CANCEL_PENDING, CANCEL_REFUSED, CANCELLED, CONFIRMED, SalesOrder
from .customer_timeline import attach_to_customer


def settle_cancellation(session: Session, order_id: int, backend: str, ok: bool,
                        text: str, still_waiting: bool) -> None:
    """An ERP's answer to a requested cancellation (the hub calls this with the
    cancel job's outcome, in its transaction). Refused: the order stays
    confirmed, with the ERP's reason. Cancelled there, and no other ERP still
    to answer: the order is cancelled, as asked, by whom and when it was asked."""
    order = session.get(SalesOrder, order_id)
    if order is None or order.state != CONFIRMED:
        return
    if not ok:
        session.execute(update(SalesOrder).where(
            SalesOrder.id == order_id, SalesOrder.state == CONFIRMED)
            .values(cancel_status=CANCEL_REFUSED, cancel_refusal=f"{backend}: {text}"[:2000],
                    version=SalesOrder.version + 1)
            .execution_options(synchronize_session=False))
        record_event(session, "cancel_refused", "SalesOrder", order_id,
                     {"number": order.number, "backend": backend, "reason": text[:2000]})
        return
    if still_waiting or order.cancel_status not in (CANCEL_PENDING, CANCEL_REFUSED):
        return
    moved = session.execute(update(SalesOrder).where(
        SalesOrder.id == order_id, SalesOrder.state == CONFIRMED,
        SalesOrder.cancel_status.in_((CANCEL_PENDING, CANCEL_REFUSED)))
        .values(state=CANCELLED, cancelled_at=datetime.utcnow(),
                cancelled_by_id=order.cancel_requested_by_id, cancel_status=None,
                cancel_refusal=None, version=SalesOrder.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if moved:
        session.refresh(order)
        record_event(session, "cancel", "SalesOrder", order_id,
                     {"number": order.number, "from": CONFIRMED,
                      "reason": order.cancel_reason or "", "confirmed_by": backend})
        attach_to_customer(session, order, f"{order.number}: cancelled "
                            f"({(order.cancel_reason or '')[:100]})",
                            author_id=order.cancelled_by_id)
