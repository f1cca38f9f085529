"""Confirmed orders to the ERP, through the integration hub.

- `request_push` / `request_cancel`: called by `order_states.confirm/cancel`
  inside their transaction; one hub job per active ERP backend (no backend,
  no job: the order page says so, and `crossdock sales erp-resend` sends the
  confirmed orders a backend has not seen once one is configured).
- The handlers map an order to the neutral `connectors.erp.payloads.SaleOrder`
  when the job runs (so a job retried after a data fix sends the fixed data)
  and record the bindings: order <-> ERP order (number, state), customer <->
  ERP party.
- A puller reads ERP order states back for the scheduler's status pull.

The customer's stable reference in the ERP is "CD-COMPANY-<id>" or
"CD-PERSON-<id>"; the order's is its number (SO2026-00001). Products are
matched by code; a backend whose codes differ maps them in its options:
{"product_codes": {"CD-HS100": "SCAN-100"}}.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload, object_session, selectinload

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS
from connectors.erp.payloads import Address, Customer, OrderLine, SaleOrder
from connectors.hub.models import Binding, SyncJob

from ..models.sales_order import (CANCELLED, CONFIRMED, ERP_MODEL as MODEL, SalesOrder,
                                  SalesOrderLine)

PUSH, CANCEL = "sales.order.push", "sales.order.cancel"


def _serial_key(order: SalesOrder) -> str:
    """Orders of one customer sync one after another, so two of them never
    both create that customer in the ERP (and a cancel follows its push)."""
    from addons.contacts.models import Company, Person

    if order.company_id is not None:
        return f"{Company.SYNC_MODEL}:{order.company_id}"
    return f"{Person.SYNC_MODEL}:{order.person_id}"


def request_push(session: Session, order: SalesOrder) -> list[SyncJob]:
    jobs = [hub.enqueue(session, PUSH, order.id, backend.id, serial_key=_serial_key(order))
            for backend in hub.active_backends(session, ERP_KINDS)]
    session.expire(order, ["erp_jobs"])  # the order's status shows them from now on
    return jobs


def request_cancel(session: Session, order: SalesOrder) -> list[SyncJob]:
    """Cancel in every ERP that has, or may still get, the order."""
    backend_ids = {b.id for b in hub.active_backends(session, ERP_KINDS)}
    backend_ids |= {j.backend_id for j in hub.jobs_for(session, MODEL, [order.id])
                    if j.kind == PUSH and j.backend_id is not None}
    jobs = [hub.enqueue(session, CANCEL, order.id, backend_id, serial_key=_serial_key(order))
            for backend_id in sorted(backend_ids)]
    session.expire(order, ["erp_jobs"])
    return jobs


# -- mapping -------------------------------------------------------------------
@dataclass(frozen=True)
class PushPayload:
    order_id: int
    customer_model: str
    customer_id: int
    order: SaleOrder


@dataclass(frozen=True)
class CancelPayload:
    order_id: int
    number: str
    external_id: str


def _customer(ctx, order: SalesOrder) -> tuple[str, int, Customer]:
    contact = order.company or order.person
    model = type(contact).SYNC_MODEL
    prefix = "CD-COMPANY" if order.company is not None else "CD-PERSON"
    bound = ctx.binding(model, contact.id)
    emails = sorted(contact.emails, key=lambda e: e.id)
    phones = sorted(contact.phones, key=lambda p: p.id)
    customer = Customer(
        reference=f"{prefix}-{contact.id}", name=contact.name,
        tax_id=getattr(contact, "tax_id", None) or "",
        email=emails[0].email if emails else "", phone=phones[0].e164 if phones else "",
        address=Address(street=contact.street or "", city=contact.city or "",
                        postal_code=contact.postal_code or "",
                        country_code=contact.country_code or ""),
        external_id=bound.external_id if bound else "")
    return model, contact.id, customer


def _load(session: Session, order_id: int) -> SalesOrder | None:
    """The order with what the payload needs, in few queries (and without the
    hub's own jobs and bindings, which the order loads for its status)."""
    from addons.contacts.models import Company, Person

    return session.scalars(select(SalesOrder).where(SalesOrder.id == order_id).options(
        selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product),
        joinedload(SalesOrder.currency),
        joinedload(SalesOrder.company).selectinload(Company.emails),
        joinedload(SalesOrder.company).selectinload(Company.phones),
        joinedload(SalesOrder.person).selectinload(Person.emails),
        joinedload(SalesOrder.person).selectinload(Person.phones),
        lazyload(SalesOrder.erp_bindings), lazyload(SalesOrder.erp_jobs))).first()


def prepare_push(ctx) -> PushPayload:
    order = _load(ctx.session, ctx.record_id)
    if order is None:
        raise hub.Skip(f"order #{ctx.record_id} was deleted; nothing sent")
    if order.state == CANCELLED:
        raise hub.Skip(f"{order.number} was cancelled before it reached the ERP; nothing sent")
    if order.state != CONFIRMED:
        raise hub.Skip(f"{order.number} is {order.state}, not confirmed; nothing sent")
    model, contact_id, customer = _customer(ctx, order)
    # backend option {"product_codes": {"our code": "ERP code"}} where the codes differ
    codes = ctx.backend_options.get("product_codes") or {}
    lines = tuple(
        OrderLine(product_code=codes.get(line.product.code, line.product.code),
                  description=line.description or line.product.name,
                  quantity=Decimal(line.quantity), unit_price=Decimal(line.unit_price),
                  discount_percent=Decimal(line.discount or 0))
        for line in sorted(order.lines, key=lambda l: (l.sequence, l.id)))
    payload = SaleOrder(reference=order.number, customer=customer, currency=order.currency.code,
                        order_date=order.order_date, lines=lines,
                        total_untaxed=Decimal(order.amount_untaxed), notes=order.note or "")
    return PushPayload(order.id, model, contact_id, payload)


def call_push(client, payload: PushPayload) -> hub.Outcome:
    remote = client.push_order(payload.order)
    binds = [hub.Bind(MODEL, payload.order_id, remote.external_id, remote.number,
                      remote.state, remote.remote_state)]
    if remote.customer_external_id:
        binds.append(hub.Bind(payload.customer_model, payload.customer_id,
                              remote.customer_external_id))
    return hub.Outcome(f"{payload.order.reference} is {remote.number} ({remote.remote_state})",
                       remote_ref=remote.number, bindings=tuple(binds))


def prepare_cancel(ctx) -> CancelPayload:
    order = _load(ctx.session, ctx.record_id)
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


def pull_states(client, external_ids: list[str]) -> dict:
    return client.order_states(external_ids)


def register_with_hub() -> None:
    hub.register_handler(hub.Handler(PUSH, MODEL, prepare_push, call_push))
    hub.register_handler(hub.Handler(CANCEL, MODEL, prepare_cancel, call_cancel))
    hub.register_puller(hub.Puller(MODEL, pull_states))


# -- what people see -------------------------------------------------------------
@dataclass(frozen=True)
class ErpStatus:
    """One line per backend (or one saying why there is none) for an order."""
    level: str  # success, info, warning, danger, default
    text: str
    job_id: int | None = None
    can_retry: bool = False


def erp_status(order: SalesOrder) -> list[ErpStatus]:
    """Whether and where the order is in each ERP, and why not (from the
    order's jobs and bindings, loaded with it)."""
    bindings = {b.backend_id: b for b in order.erp_bindings}
    latest = {j.backend_id: j for j in order.erp_jobs}  # ordered by id: the last one wins
    statuses = [_status(bindings.get(k), latest.get(k))
                for k in sorted({*bindings, *latest}, key=lambda k: k or 0)]
    if not statuses and order.state == CONFIRMED:
        session = object_session(order)
        have_backends = session is not None and bool(hub.active_backends(session, ERP_KINDS))
        statuses = [ErpStatus("warning", "not sent: no ERP backend is configured"
                              if not have_backends else
                              "not sent: confirmed before the ERP backend was added "
                              "(crossdock sales erp-resend)")]
    return statuses


def _status(binding: Binding | None, job: SyncJob | None) -> ErpStatus:
    live = job is not None and job.state in ("pending", "queued", "running")
    if job is not None and job.state == "failed":
        where = f"{job.backend.name}: " if job.backend else ""
        return ErpStatus("danger", f"{where}sync failed: {job.last_error}", job.id, True)
    if binding is not None and not live:
        label = binding.remote_state_label or binding.remote_state or ""
        return ErpStatus("danger" if binding.remote_state == "cancelled" else "success",
                         f"{binding.backend.name}: {binding.external_number or binding.external_id}"
                         f"{' (' + label + ')' if label else ''}", job.id if job else None)
    if job is None:
        return ErpStatus("default", "")
    where = f"{job.backend.name}: " if job.backend else ""
    if live:
        retrying = f", retrying after: {job.last_error}" if job.last_error else ""
        return ErpStatus("info" if not job.last_error else "warning",
                         f"{where}sync {job.state} (attempt {job.attempts}{retrying})", job.id)
    return ErpStatus("default", f"{where}{job.result or job.state}", job.id)


# -- sending what a new backend has not seen ---------------------------------------
@click.command("erp-resend")
@click.option("--backend", "backend_name", default=None,
              help="Only this backend (default: every active ERP backend).")
def erp_resend_command(backend_name: str | None) -> None:
    """Queue confirmed orders that an ERP backend has neither bound nor a job for."""
    from core.db import db

    session = db.session
    backends = [b for b in hub.active_backends(session, ERP_KINDS)
                if backend_name in (None, b.name)]
    if not backends:
        raise click.ClickException("no active ERP backend" + (
            f" named {backend_name!r}" if backend_name else ""))
    queued = 0
    for backend in backends:
        seen = select(SyncJob.record_id).where(SyncJob.kind == PUSH,
                                               SyncJob.backend_id == backend.id)
        bound = select(Binding.record_id).where(Binding.model == MODEL,
                                                Binding.backend_id == backend.id)
        for order_id in session.scalars(select(SalesOrder.id).where(
                SalesOrder.state == CONFIRMED, SalesOrder.id.not_in(seen),
                SalesOrder.id.not_in(bound)).order_by(SalesOrder.id)):
            order = session.get(SalesOrder, order_id)
            hub.enqueue(session, PUSH, order_id, backend.id, serial_key=_serial_key(order))
            queued += 1
    session.commit()
    click.echo(f"queued {queued} confirmed orders for {', '.join(b.name for b in backends)}")
