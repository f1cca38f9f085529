"""ERP protocol clients. Each speaks one remote protocol with the neutral
payloads of `payloads`, knows nothing of our models, and raises only
`connectors.errors.TransientError` / `PermanentError` for remote trouble.

`make_client(kind, ...)` builds the client a backend row describes.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

from .invoice_payloads import InvoiceOut, RemoteInvoice
from .payloads import RemoteOrder, SaleOrder

KINDS = ("tryton", "odoo", "erpnext")


class ErpClient(Protocol):
    def test_connection(self) -> str:
        """Log in and read something harmless; return a one-line description
        ("Tryton 8.2 database shop as admin, company Crossdock Ltd"). Raise
        TransientError/PermanentError saying in words what is wrong."""

    def find_order(self, reference: str) -> RemoteOrder | None:
        """The remote order carrying our reference, if any."""

    def push_order(self, order: SaleOrder) -> RemoteOrder | None:
        """Make sure the order exists in the ERP and is confirmed, exactly once:
        look the reference up first (a previous attempt may have created it;
        with `order.existing_only` stop there: None when there is none), find
        or create the customer (`customer_match.choose`: an ambiguous match is
        a `CustomerConflict` before anything is written), map products by code
        and taxes by name (unknown ones are a PermanentError naming them),
        create the order with its lines, confirm it; return what the ERP holds
        (with its untaxed, tax and total amounts)."""

    def void_order(self, external_id: str) -> str:
        """Undo an order we created by mistake (deleted, or cancelled where
        the ERP keeps cancelled orders); say in words what is left. A
        PermanentError when the ERP no longer allows it (e.g. shipped)."""

    def cancel_order(self, external_id: str) -> RemoteOrder:
        """Cancel it if the ERP still allows it (already cancelled: fine);
        otherwise PermanentError saying why (e.g. already shipped)."""

    def order_states(self, external_ids: list[str]) -> dict[str, RemoteOrder]:
        """Current state of these orders (missing ids are left out)."""

    # -- invoices (clients keep these calls in <system>_invoices.py) ---------

    def find_invoice(self, reference: str) -> RemoteInvoice | None:
        """The remote invoice or credit note carrying our reference, if any
        (a live one before a cancelled one)."""

    def push_invoice(self, invoice: InvoiceOut) -> RemoteInvoice:
        """Make sure our invoice (or credit note) exists in the ERP and is
        posted/submitted, exactly once: look the reference up first (a draft
        left by an earlier attempt is posted, not duplicated; a cancelled one
        is a PermanentError), find or create the customer as `push_order`
        does, map products and taxes the same way, link the ERP order
        (`order_external_id`) and, for a credit note, the corrected invoice;
        return what the ERP holds. Totals that differ from ours are said in
        `notes` (`invoice_payloads.totals_differ`), never silently."""

    def invoice_states(self, external_ids: list[str]) -> dict[str, RemoteInvoice]:
        """Current state, payment state, amount paid and residual of these
        invoices, in one batch per remote call (missing ids are left out)."""

    def invoices_for_orders(self, order_external_ids: list[str]
                            ) -> dict[str, list[RemoteInvoice]]:
        """The invoices and credit notes the ERP made from these synced orders
        ({order id: [...]}, orders without any left out), drafts included."""

    def invoices_dated(self, first: date, last: date) -> Iterator[list[RemoteInvoice]]:
        """Every customer invoice and credit note whose invoice date is in
        [first, last], any state, page after page (a few thousand per remote
        call, read as the caller iterates), with `reference` (our number for
        the ones we pushed), totals, state and residual (reconciliation)."""


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict) -> ErpClient:
    if kind == "tryton":
        from .tryton import TrytonClient
        return TrytonClient(url, database, username, secret, options)
    if kind == "odoo":
        from .odoo import OdooClient
        return OdooClient(url, database, username, secret, options)
    if kind == "erpnext":
        from .erpnext import ErpNextClient
        return ErpNextClient(url, database, username, secret, options)
    raise ValueError(f"unknown ERP kind {kind!r} (known: {', '.join(KINDS)})")
