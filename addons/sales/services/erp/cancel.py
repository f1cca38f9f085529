"""The cancel handler: a cancelled order cancelled in one ERP."""
from __future__ import annotations

from dataclasses import dataclass

from connectors import hub

from ...models.sales_order import ERP_MODEL as MODEL
from .order_payload import load_order

CANCEL = "sales.order.cancel"


@dataclass(frozen=True)
class CancelPayload:
    order_id: int
    number: str
    external_id: str


def prepare_cancel(ctx) -> CancelPayload:
    order = load_order(ctx.session, ctx.record_id)
    number = order.number if order is not None else f"order #{ctx.record_id}"
    bound = ctx.binding(MODEL, ctx.record_id)
    if bound is None:
        raise hub.Skip(f"{number} is not in this ERP; nothing to cancel")
    return CancelPayload(ctx.record_id, number, bound.external_id)


def call_cancel(client, payload: CancelPayload) -> hub.Outcome:
    remote = client.cancel_order(payload.external_id)
    return hub.Outcome(f"{payload.number}: {remote.number} is {remote.remote_state}",
                       remote_ref=remote.number,
                       bindings=(hub.Bind(MODEL, payload.order_id, remote.external_id,
                                          remote.number, remote.state, remote.remote_state),))
