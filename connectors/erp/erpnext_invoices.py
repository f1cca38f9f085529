"""ERPNext sales invoices and credit notes (`Sales Invoice`) for the
ErpClient invoice calls, over `FrappeWire`, in ERPNext's published terms
(erpnext/accounts/doctype/sales_invoice, payment_entry):

- our reference: stock ERPNext has no field for another system's invoice
  number (`po_no` is the customer's order number: our order's reference
  goes there, as on the Sales Order), so it lives in a custom Data field on
  Sales Invoice named by `options["invoice_reference_field"]` (default
  `crossdock_reference`; add it with Customize Form, as for customers). It
  is searched before any create: a draft found there is submitted, a
  cancelled one is a PermanentError.
- the invoice: `customer` (the rule of `customer_match`, as for orders),
  `posting_date` with `set_posting_time` (else ERPNext posts today),
  `due_date` when we have one, `currency`, `company`, `po_no` = our order
  reference, `disable_rounded_total` (a rounded grand total would not be our
  total), `items` as the order's (rates ERPNext keeps to the cent) with
  `sales_order` = the ERPNext order when there is one, our taxes as "Actual"
  rows, `docstatus: 1` (submitted). A credit note is a return:
  `is_return: 1`, `return_against` = the corrected invoice, negative
  quantities and tax amounts.
- states: docstatus 0 draft, 2 cancelled; a submitted invoice is paid when
  nothing is outstanding (status Paid, or Credit Note Issued: fully
  credited), else posted; `outstanding_amount` is the residual (ERPNext's
  negative figures of a return are made positive); the payment date is the
  latest submitted Payment Entry referencing the invoice.
- the ERP-invoices mode: Sales Invoices whose items point at the synced
  Sales Orders (a child-table filter on Sales Invoice Item `sales_order`).
- a period's invoices and returns (reconciliation): `GET /api/resource/Sales
  Invoice` filtered on `posting_date`, every docstatus, ordered by name and
  paged with `limit_start` / `limit_page_length` (no payment dates: one
  Payment Entry query per page would double the calls).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from ..errors import PermanentError
from .invoice_payloads import InvoiceOut, RemoteInvoice, payment_state, totals_differ

FIELDS = ["name", "status", "docstatus", "customer", "is_return", "return_against",
          "posting_date", "due_date", "currency", "net_total", "total_taxes_and_charges",
          "grand_total", "rounded_total", "disable_rounded_total", "outstanding_amount", "po_no"]
ITEM_ORDER = "`tabSales Invoice Item`.sales_order"
PAYMENT_INVOICE = "`tabPayment Entry Reference`.reference_name"
CENT = Decimal("0.01")
PAGE = 1000


class ErpNextInvoices:
    """The invoice half of `ErpNextClient` (it passes itself: wire, items,
    tax accounts, customers)."""

    def __init__(self, client, options: dict):
        self.client, self.wire, self.what = client, client.wire, client.what
        self.reference_field = options.get("invoice_reference_field", "crossdock_reference")
        self.fields = FIELDS + [self.reference_field]

    def find(self, reference: str) -> RemoteInvoice | None:
        rows = self._with_reference(reference)
        live = [row for row in rows if int(row["docstatus"]) != 2]
        return self._remote(live[0] if live else rows[0]) if rows else None

    def push(self, invoice: InvoiceOut) -> RemoteInvoice:
        rows = self._with_reference(invoice.reference)
        live = [row for row in rows if int(row["docstatus"]) != 2]
        if rows and not live:
            raise PermanentError(f"{self.what}: Sales Invoice {rows[0]['name']} for "
                                 f"{invoice.reference} was cancelled in ERPNext; not creating "
                                 "another one (amend it in ERPNext to sync it again)")
        match = None
        if live and int(live[0]["docstatus"]) == 0:
            name = self.wire.submit("Sales Invoice", live[0]["name"])["name"]
        elif live:
            name = live[0]["name"]
        else:
            name, match = self._create(invoice)
        got = self.read([name])[name]
        differ = totals_differ(invoice, got)
        notes = (match.notes if match else ()) + ((differ,) if differ else ())
        return replace(got, customer_match=(match.by or "created") if match else "",
                       notes=notes)

    def read(self, names) -> dict[str, RemoteInvoice]:
        names = list(dict.fromkeys(str(n) for n in names))
        if not names:
            return {}
        rows = self.wire.list("Sales Invoice", [["name", "in", names]], self.fields, limit=0)
        paid_on = self._payment_dates([row["name"] for row in rows])
        return {row["name"]: self._remote(row, paid_on.get(row["name"])) for row in rows}

    def for_orders(self, order_ids: list[str]) -> dict[str, list[RemoteInvoice]]:
        if not order_ids:
            return {}
        rows = self.wire.list("Sales Invoice",
                              [["Sales Invoice Item", "sales_order", "in", list(order_ids)]],
                              ["name", ITEM_ORDER], limit=0)
        by_order: dict[str, list[str]] = {}
        for row in rows:  # one row per matching item
            names = by_order.setdefault(row[ITEM_ORDER], [])
            if row["name"] not in names:
                names.append(row["name"])
        invoices = self.read([n for names in by_order.values() for n in names])
        return {order: [replace(invoices[n], order_external_id=order) for n in names
                        if n in invoices] for order, names in by_order.items()}

    def dated(self, first: date, last: date) -> Iterator[list[RemoteInvoice]]:
        start = 0
        while True:
            rows = self.wire.list("Sales Invoice", [
                ["posting_date", ">=", first.isoformat()],
                ["posting_date", "<=", last.isoformat()]], self.fields, limit=PAGE,
                start=start, order_by="name asc")
            if rows:
                yield [self._remote(row) for row in rows]
            if len(rows) < PAGE:
                return
            start += PAGE

    # -- creating ---------------------------------------------------------------
    def _with_reference(self, reference: str) -> list[dict]:
        if not self.reference_field:
            raise PermanentError(f"{self.what}: invoices need a reference field on Sales "
                                 "Invoice (backend option invoice_reference_field)")
        return self.wire.list("Sales Invoice", [[self.reference_field, "=", reference]],
                              self.fields)

    def _create(self, invoice: InvoiceOut):
        client = self.client
        client._check_items([line.product_code for line in invoice.lines])
        client._check_tax_accounts(invoice)
        credit = invoice.kind == "credit_note"
        # ERPNext's number is the document's name; ERPNext checks the link itself
        against = (invoice.corrects_external_id or invoice.corrects_number) if credit else ""
        customer, match = client._customer(invoice.customer)
        sign = -1 if credit else 1
        items = []
        for line in invoice.lines:
            item = client._item(line, invoice.currency_places)
            item["qty"] *= sign
            if invoice.order_external_id:
                item["sales_order"] = invoice.order_external_id
            items.append(item)
        body = {
            self.reference_field: invoice.reference, "customer": customer,
            "posting_date": invoice.invoice_date.isoformat(), "set_posting_time": 1,
            "currency": invoice.currency, "disable_rounded_total": 1, "docstatus": 1,
            "items": items,
        }
        taxes = [{**row, "tax_amount": row["tax_amount"] * sign}
                 for row in client.tax_rows(invoice)]  # as the order's, one per account head
        for field, value in (("taxes", taxes), ("company", client.company),
                             ("po_no", invoice.order_reference), ("remarks", invoice.notes),
                             ("due_date", invoice.due_date and invoice.due_date.isoformat())):
            if value:
                body[field] = value
        if credit:
            body.update(is_return=1, return_against=against or None)
        return self.wire.insert("Sales Invoice", body)["name"], match

    def _payment_dates(self, names: list[str]) -> dict[str, date]:
        if not names:
            return {}
        rows = self.wire.list("Payment Entry", [
            ["Payment Entry Reference", "reference_name", "in", names], ["docstatus", "=", 1]],
            ["posting_date", PAYMENT_INVOICE], limit=0)
        dates: dict[str, date] = {}
        for row in rows:
            day = date.fromisoformat(str(row["posting_date"])[:10])
            name = row[PAYMENT_INVOICE]
            dates[name] = max(day, dates.get(name, day))
        return dates

    def _remote(self, row: dict, paid_on: date | None = None) -> RemoteInvoice:
        docstatus, credit = int(row["docstatus"]), bool(int(row.get("is_return") or 0))
        total = abs(_money(row.get("rounded_total") if not int(row.get("disable_rounded_total")
                                                             or 0) and row.get("rounded_total")
                           else row.get("grand_total")))
        outstanding = abs(_money(row.get("outstanding_amount")))
        if docstatus == 0:
            state, residual = "draft", total
        elif docstatus == 2:
            state, residual = "cancelled", Decimal(0)
        else:
            state, residual = ("paid" if outstanding == 0 else "posted"), outstanding
        pay_state = payment_state(total, residual) if state in ("posted", "paid") else "not_paid"
        if state == "paid":
            pay_state = "paid"
        return RemoteInvoice(
            external_id=row["name"], number=row["name"],
            kind="credit_note" if credit else "invoice", state=state,
            remote_state=row.get("status") or ("Draft" if docstatus == 0 else "Cancelled"),
            currency=row.get("currency") or "",
            invoice_date=_date(row.get("posting_date")), due_date=_date(row.get("due_date")),
            total_untaxed=abs(_money(row.get("net_total"))),
            total_tax=abs(_money(row.get("total_taxes_and_charges"))), total=total,
            amount_paid=(total - residual) if state in ("posted", "paid") else Decimal(0),
            residual=residual, payment_state=pay_state,
            payment_date=paid_on if pay_state != "not_paid" else None,
            reference=row.get(self.reference_field) or "",
            customer_external_id=row.get("customer") or "",
            corrects_external_id=row.get("return_against") or "")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _date(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None
