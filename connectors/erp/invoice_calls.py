"""The `ErpClient` protocol's invoice calls, for every client alike: each
client keeps its system's invoice module as `self.invoices` (Tryton's
tryton_invoices.py, Odoo's odoo_invoices.py, ERPNext's erpnext_invoices.py),
which knows `find`, `push`, `read`, `for_orders` and `dated` in the remote's words."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .invoice_payloads import InvoiceOut, RemoteInvoice


class InvoiceCalls:
    invoices: object  # set by the client's __init__

    def find_invoice(self, reference: str) -> RemoteInvoice | None:
        return self.invoices.find(reference)

    def push_invoice(self, invoice: InvoiceOut) -> RemoteInvoice:
        return self.invoices.push(invoice)

    def invoice_states(self, external_ids: list[str]) -> dict[str, RemoteInvoice]:
        return self.invoices.read(external_ids)

    def invoices_for_orders(self, order_external_ids: list[str]
                            ) -> dict[str, list[RemoteInvoice]]:
        return self.invoices.for_orders(order_external_ids)

    def invoices_dated(self, first: date, last: date) -> Iterator[list[RemoteInvoice]]:
        return self.invoices.dated(first, last)
