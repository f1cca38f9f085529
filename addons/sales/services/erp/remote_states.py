"""The pull `ORDER_STATES`: where each bound order is in its ERP (delivered,
invoiced, cancelled), read back by the hub's scheduler onto the bindings."""
from __future__ import annotations

from connectors import hub

from ...models.sales_order import ERP_MODEL as MODEL


def read_order_states(client, external_ids: list[str]) -> dict:
    return client.order_states(external_ids)


ORDER_STATES = hub.Pull(kind="sales.order.states", model=MODEL, pull=read_order_states)
