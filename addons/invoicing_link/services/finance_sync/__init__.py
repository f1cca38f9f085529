"""Invoices and finance systems (the invoicing half of the hub's work):

- modes.py: per backend, who invoices: the ERP ("erp", default) or Crossdock;
- invoice_push.py: `INVOICE_PUSH`, an issued invoice out, exactly once;
- erp_invoices.py: `ERP_INVOICES`, the ERP's own invoices of synced orders, mirrored;
- payments.py: `INVOICE_PAYMENTS`, payments of every bound invoice, read back;
- remote_copy.py: the one rule for copying a remote invoice onto ours.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub

from ...models.invoice import ERP_MODEL, Invoice
from .erp_invoices import ERP_INVOICES
from .invoice_push import INVOICE_PUSH, request_push
from .payments import INVOICE_PAYMENTS

__all__ = ["register_with_hub", "request_push"]


def invoice_numbers(session: Session, ids: list[int]) -> dict[int, str]:
    """What the hub's log lines call an invoice."""
    return {i: n or f"draft #{i}" for i, n in session.execute(
        select(Invoice.id, Invoice.number).where(Invoice.id.in_(list(ids))))}


def register_with_hub() -> None:
    hub.register(INVOICE_PUSH, INVOICE_PAYMENTS, ERP_INVOICES)
    hub.register_labels(ERP_MODEL, invoice_numbers)
