"""The push handler `ORDER_PUSH`: a confirmed order into one ERP, exactly once.

`prepare_push` maps the order when the job runs (a job retried after a data
fix sends the fixed data); `call_push` talks to the ERP only and returns the
bindings (order <-> ERP order, customer <-> ERP customer); `undo_push` takes
back an ERP order whose customer turned out to be bound to another of our
records (connectors/hub/execution.py calls it when that binding clashes).
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors import hub
from connectors.erp.customer_match import CustomerConflict
from connectors.erp.payloads import SaleOrder

from ...models.sales_order import (CANCEL_PENDING, CANCELLED, CONFIRMED, ERP_MODEL as MODEL,
                                   SalesOrder)
from .order_payload import load_order, sale_order
from .totals_check import compare, in_words

def serial_key(order: SalesOrder) -> str:
    """Orders of one customer sync one after another, so two of them never
    both create that customer in the ERP (and a cancel follows its push)."""
    from addons.contacts.models import Company, Person

    if order.company_id is not None:
        return f"{Company.SYNC_MODEL}:{order.company_id}"
    return f"{Person.SYNC_MODEL}:{order.person_id}"


@dataclass(frozen=True)
class PushPayload:
    order_id: int
    customer_model: str
    customer_id: int
    order: SaleOrder


def prepare_push(ctx) -> PushPayload:
    order = load_order(ctx.session, ctx.record_id)
    if order is None:
        raise hub.Skip(f"order #{ctx.record_id} was deleted; nothing sent")
    if order.state == CANCELLED:
        raise hub.Skip(f"{order.number} was cancelled before it reached the ERP; nothing sent")
    if order.state != CONFIRMED:
        raise hub.Skip(f"{order.number} is {order.state}, not confirmed; nothing sent")
    contact = order.company or order.person
    create_new = ctx.decision.get("action") == "new"
    # its cancellation is requested: only bind what an earlier attempt may have left
    existing_only = order.cancel_status == CANCEL_PENDING
    return PushPayload(order.id, type(contact).SYNC_MODEL, contact.id,
                       sale_order(ctx, order, create_new_customer=create_new,
                                  existing_only=existing_only))


def call_push(client, payload: PushPayload) -> hub.Outcome:
    try:
        remote = client.push_order(payload.order)
    except CustomerConflict as exc:  # say which of our records it is about
        exc.details = {**(exc.details or {}), "model": payload.customer_model,
                       "record_id": payload.customer_id}
        raise
    if remote is None:
        return hub.Outcome(f"{payload.order.reference}: its cancellation was requested before "
                           "it reached the ERP; nothing sent")
    order = payload.order
    attention, details = compare(order.reference, order.currency, order.currency_places,
                                 {"untaxed": order.total_untaxed, "tax": order.total_tax,
                                  "total": order.total_with_tax}, remote)
    binds = [hub.Bind(MODEL, payload.order_id, remote.external_id, remote.number,
                      remote.state, remote.remote_state, attention=attention, details=details)]
    if remote.customer_external_id:
        binds.append(hub.Bind(payload.customer_model, payload.customer_id,
                              remote.customer_external_id))
    summary = f"{payload.order.reference} is {remote.number} ({remote.remote_state})"
    if remote.customer_match:
        summary += f"; customer {remote.customer_match}"
    if remote.notes:
        summary += f" ({'; '.join(remote.notes)})"
    if details:
        summary += f"; {in_words(details, 'the ERP')}"
    return hub.Outcome(summary, remote_ref=remote.number, bindings=tuple(binds))


def undo_push(client, payload: PushPayload, outcome: hub.Outcome) -> str:
    order_binding = next(b for b in outcome.bindings if b.model == MODEL)
    return client.void_order(order_binding.external_id)


ORDER_PUSH = hub.Push(kind="sales.order.push", model=MODEL, prepare=prepare_push,
                      call=call_push, undo=undo_push)
