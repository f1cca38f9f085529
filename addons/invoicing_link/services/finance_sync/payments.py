"""The pull `INVOICE_PAYMENTS`: each bound invoice's payments read back from
its finance system on a schedule (Tryton amount to pay, Odoo payment_state
and amount_residual, ERPNext outstanding_amount: the clients'
`invoice_states`), onto our invoice (remote_copy.py), in the pull's
transaction. Invoices of both modes are bound: ours by their push, the
ERP's by erp_invoices.py.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub

from ...models.invoice import ERP_MODEL, Invoice
from .remote_copy import copy_remote, following_the_erp

EVERY_SECONDS = 600


def read_payments(client, external_ids: list[str]) -> dict:
    return client.invoice_states(external_ids)


def apply_payments(session: Session, _backend_id: int, found: list) -> int:
    invoices = {i.id: i for i in session.scalars(
        select(Invoice).where(Invoice.id.in_([record_id for record_id, _ in found])))}
    changed = 0
    with following_the_erp(session):
        for record_id, remote in found:
            invoice = invoices.get(record_id)
            if invoice is not None and copy_remote(invoice, remote):
                changed += 1
    return changed


INVOICE_PAYMENTS = hub.Pull(kind="invoicing.invoice.payments", model=ERP_MODEL,
                            pull=read_payments, every_seconds=EVERY_SECONDS,
                            apply=apply_payments)
