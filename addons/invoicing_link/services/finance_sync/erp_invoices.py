"""The pull `ERP_INVOICES`: the invoices and credit notes an ERP made from
the orders Crossdock synced to it (the ERP-invoices mode, modes.py), mirrored
as invoices of origin "erp" (remote_copy.py): nothing typed twice.

It reads the same batch of order bindings as sales' state pull, after it
(pulls of one model run in registration order, and invoicing_link registers
after sales), so an order the ERP calls done had its invoices read after
that. Each new remote invoice becomes an invoice here, bound to the remote
one (`hub.bind`), so the payment pull (payments.py) keeps following it once
its order is done. An invoice bound already (ours, pushed in the other mode,
or mirrored earlier) is updated, never added twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.sales.models import Currency
from addons.sales.models.sales_order import ERP_MODEL as ORDER_MODEL, SalesOrder
from connectors import hub
from connectors.erp import KINDS as ERP_KINDS
from connectors.erp.invoice_payloads import RemoteInvoice

from ...models.invoice import (CREDIT_NOTE, DRAFT, ERP, ERP_MODEL, INVOICE, ISSUED, Invoice)
from .modes import ERP_INVOICES as MODE, mode_of
from .remote_copy import copy_remote, following_the_erp


def read_order_invoices(client, external_ids: list[str]) -> dict:
    return client.invoices_for_orders(external_ids)


def _mirrors(session: Session, backend_id: int) -> bool:
    return any(b.id == backend_id and mode_of(b.options_json) == MODE
               for b in hub.active_backends(session, ERP_KINDS))


def _new_invoice(session: Session, backend_id: int, order: SalesOrder,
                 remote: RemoteInvoice, currencies: dict, known: dict) -> Invoice:
    invoice = Invoice(
        kind=CREDIT_NOTE if remote.kind == "credit_note" else INVOICE, origin=ERP,
        backend_id=backend_id, state=DRAFT, series=f"ERP{backend_id}",
        company_id=order.company_id, person_id=order.person_id, order_id=order.id,
        owner_id=order.owner_id, team_id=order.team_id,
        currency_id=currencies.get(remote.currency, order.currency_id),
        credited_invoice_id=known.get(remote.corrects_external_id))
    session.add(invoice)  # before the copy, which adds its payment history beside it
    copy_remote(invoice, remote)
    if invoice.state == ISSUED:
        invoice.issued_at = datetime.utcnow()
    session.flush()
    hub.bind(session, backend_id, hub.Bind(ERP_MODEL, invoice.id, remote.external_id,
                                           remote.number, remote.state, remote.remote_state))
    return invoice


def apply_order_invoices(session: Session, backend_id: int, found: list) -> int:
    """found: [(order id, [RemoteInvoice, ...])]; returns invoices added or changed."""
    if not _mirrors(session, backend_id):
        return 0
    remotes = [(order_id, r) for order_id, listed in found for r in listed]
    # credit notes after the invoices they correct, so those are bound first
    remotes.sort(key=lambda pair: pair[1].kind == "credit_note")
    known = hub.records_bound(session, backend_id, ERP_MODEL, [r.external_id for _, r in remotes])
    invoices = {i.id: i for i in session.scalars(
        select(Invoice).where(Invoice.id.in_(list(known.values()))))}
    orders = {o.id: o for o in session.scalars(
        select(SalesOrder).where(SalesOrder.id.in_([order_id for order_id, _ in remotes])))}
    currencies = dict(session.execute(select(Currency.code, Currency.id)).all())
    changed = 0
    with following_the_erp(session):
        for order_id, remote in remotes:
            invoice = invoices.get(known.get(remote.external_id))
            if invoice is not None:
                changed += copy_remote(invoice, remote)
            elif order_id in orders:
                invoice = _new_invoice(session, backend_id, orders[order_id], remote,
                                       currencies, known)
                known[remote.external_id] = invoice.id
                changed += 1
    return changed


ERP_INVOICES = hub.Pull(kind="invoicing.erp_invoices", model=ORDER_MODEL,
                        pull=read_order_invoices, apply=apply_order_invoices)
