"""The cancel handler `ORDER_CANCEL`: a requested cancellation carried out in one ERP.

`prepare_cancel` finds the ERP order by our binding, or else lets the call
look our reference up (a push may have created it and died before binding
it); `call_cancel` cancels it there (nothing there: nothing to cancel);
`settle_cancel` hands the answer to orders/erp_answers.settle_cancellation in the
hub's transaction: the order is cancelled once every ERP cancelled it, or
stays confirmed with the ERP's reason when one refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors import hub

from ...models.sales_order import ERP_MODEL as MODEL
from ..orders.erp_answers import settle_cancellation
from .order_payload import load_order

@dataclass(frozen=True)
class CancelPayload:
    order_id: int
    number: str
    external_id: str  # "" when not bound: looked up by our reference


def prepare_cancel(ctx) -> CancelPayload:
    order = load_order(ctx.session, ctx.record_id)
    if order is None:
        raise hub.Skip(f"order #{ctx.record_id} was deleted; nothing to cancel")
    bound = ctx.binding(MODEL, ctx.record_id)
    return CancelPayload(ctx.record_id, order.number, bound.external_id if bound else "")


def call_cancel(client, payload: CancelPayload) -> hub.Outcome:
    external_id = payload.external_id
    if not external_id:
        found = client.find_order(payload.number)
        if found is None:
            return hub.Outcome(f"{payload.number} is not in this ERP; nothing to cancel")
        external_id = found.external_id
    remote = client.cancel_order(external_id)
    return hub.Outcome(f"{payload.number}: {remote.number} is {remote.remote_state}",
                       remote_ref=remote.number,
                       bindings=(hub.Bind(MODEL, payload.order_id, remote.external_id,
                                          remote.number, remote.state, remote.remote_state),))


def settle_cancel(session, settled: hub.Settled) -> None:
    others = [j for j in hub.jobs_for(session, MODEL, [settled.record_id])
              if j.kind == ORDER_CANCEL.kind and j.id != settled.job_id
              and j.state in ("pending", "queued", "running")]
    settle_cancellation(session, settled.record_id, settled.backend_name, settled.ok,
                        settled.text, still_waiting=bool(others))


ORDER_CANCEL = hub.Push(kind="sales.order.cancel", model=MODEL, prepare=prepare_cancel,
                        call=call_cancel, on_settled=settle_cancel)
