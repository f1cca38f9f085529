"""Odoo customer invoices and credit notes (`account.move`) for the
ErpClient invoice calls, over whichever wire the OdooClient speaks (JSON-2
or `execute_kw`), in the `account` module's published terms
(addons/account/models/account_move.py):

- our invoice -> `account.move` with `move_type` "out_invoice" (a credit
  note "out_refund", with `reversed_entry_id` = the corrected invoice, found
  by id or by number), `ref` = our number (searched before any create; a
  draft found there is posted, a cancelled one is a PermanentError),
  `invoice_origin` = the order (ours and the Odoo order's name), partner,
  products and taxes as for orders (`OdooClient`), `invoice_date`,
  `invoice_date_due` (when we have one; else Odoo's payment term), the
  currency by ISO code (`res.currency.name`), `narration` = our notes;
  posted with `action_post`; read back and totals compared with ours.
- states: draft, posted, cancel -> cancelled; a posted invoice whose
  `payment_state` is paid, in_payment (paid, the bank not yet reconciled)
  or reversed (fully credited) is "paid" with residual 0; payment states
  not_paid, partial, and those three -> paid. `amount_residual` is the
  residual; the payment date is the latest in `invoice_payments_widget`.
- the ERP-invoices mode: `sale.order.invoice_ids` (the invoices and credit
  notes made from the order, sale's `_create_invoices` and reversals).
- a period's invoices and credit notes (reconciliation): `search_read` on
  `move_type` and `invoice_date`, paged by id (`id > last`, `order` "id asc",
  `limit`), so moves posted meanwhile neither shift nor repeat a page.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from ..errors import PermanentError
from .invoice_payloads import InvoiceOut, RemoteInvoice, payment_state, totals_differ
from .odoo_records import money

MOVE_TYPES = {"invoice": "out_invoice", "credit_note": "out_refund"}
MOVE_FIELDS = ["name", "move_type", "state", "ref", "invoice_origin", "partner_id",
               "invoice_date", "invoice_date_due", "currency_id", "amount_untaxed",
               "amount_tax", "amount_total", "amount_residual", "payment_state",
               "reversed_entry_id", "invoice_payments_widget"]
# what a reconciliation compares: no payment widget nor partner, to keep pages light
LIST_FIELDS = ["name", "move_type", "state", "ref", "invoice_date", "currency_id",
               "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
               "payment_state"]
PAGE = 2000
PAID = {"paid", "in_payment", "reversed", "invoicing_legacy"}


class OdooInvoices:
    """The invoice half of `OdooClient` (it passes itself: wire, products,
    taxes, partners)."""

    def __init__(self, client):
        self.client, self.wire, self.what = client, client.wire, client.what

    def find(self, reference: str) -> RemoteInvoice | None:
        rows = self._with_reference(reference)
        live = [row for row in rows if row["state"] != "cancel"]
        return remote_invoice(live[0] if live else rows[0]) if rows else None

    def push(self, invoice: InvoiceOut) -> RemoteInvoice:
        rows = self._with_reference(invoice.reference)
        live = [row for row in rows if row["state"] != "cancel"]
        if rows and not live:
            raise PermanentError(f"{self.what}: invoice {rows[0]['name']} with reference "
                                 f"{invoice.reference} was cancelled in Odoo; not creating "
                                 "another one (reset it to draft in Odoo to sync it again)")
        match = None
        if live:
            move_id, state = live[0]["id"], live[0]["state"]
        else:
            (move_id, match), state = self._create(invoice), "draft"
        if state == "draft":
            self.wire.call("account.move", "action_post", [move_id])
        got = self.read([move_id])[str(move_id)]
        differ = totals_differ(invoice, got)
        notes = (match.notes if match else ()) + ((differ,) if differ else ())
        return replace(got, customer_match=(match.by or "created") if match else "",
                       notes=notes)

    def read(self, external_ids) -> dict[str, RemoteInvoice]:
        ids = [int(i) for i in external_ids if str(i).isdigit()]
        if not ids:
            return {}
        rows = self.wire.call("account.move", "search_read", domain=[["id", "in", ids]],
                              fields=MOVE_FIELDS)
        return {str(row["id"]): remote_invoice(row) for row in rows}

    def for_orders(self, order_ids: list[str]) -> dict[str, list[RemoteInvoice]]:
        ids = [int(i) for i in order_ids if str(i).isdigit()]
        if not ids:
            return {}
        orders = self.wire.call("sale.order", "search_read", domain=[["id", "in", ids]],
                                fields=["invoice_ids"])
        moves = self.read(sorted({i for o in orders for i in o["invoice_ids"] or []}))
        found = {}
        for order in orders:
            mine = [replace(moves[str(i)], order_external_id=str(order["id"]))
                    for i in order["invoice_ids"] or [] if str(i) in moves]
            if mine:
                found[str(order["id"])] = mine
        return found

    def dated(self, first: date, last: date) -> Iterator[list[RemoteInvoice]]:
        after = 0
        while True:
            rows = self.wire.call("account.move", "search_read", domain=[
                ["move_type", "in", list(MOVE_TYPES.values())],
                ["invoice_date", ">=", first.isoformat()],
                ["invoice_date", "<=", last.isoformat()], ["id", ">", after]],
                fields=LIST_FIELDS, order="id asc", limit=PAGE)
            if rows:
                yield [remote_invoice(row) for row in rows]
            if len(rows) < PAGE:
                return
            after = rows[-1]["id"]

    # -- creating ---------------------------------------------------------------
    def _with_reference(self, reference: str) -> list[dict]:
        return self.wire.call("account.move", "search_read",
                              domain=[["ref", "=", reference],
                                      ["move_type", "in", list(MOVE_TYPES.values())]],
                              fields=MOVE_FIELDS, order="id asc")

    def _create(self, invoice: InvoiceOut):
        # everything that can be refused is checked before the first write
        if invoice.kind not in MOVE_TYPES:
            raise PermanentError(f"{self.what}: unknown invoice kind {invoice.kind!r}")
        client = self.client
        products = client._products([line.product_code for line in invoice.lines])
        taxes = client._taxes(invoice)
        currency = self._currency(invoice.currency)
        reversed_id = self._corrected(invoice) if invoice.kind == "credit_note" else None
        partner_id, match = client._partner(invoice.customer)
        vals = {
            "move_type": MOVE_TYPES[invoice.kind], "partner_id": partner_id,
            "ref": invoice.reference, "invoice_date": invoice.invoice_date.isoformat(),
            "currency_id": currency,
            "invoice_line_ids": [[0, 0, {
                "product_id": products[line.product_code], "quantity": float(line.quantity),
                "price_unit": float(line.unit_price), "discount": float(line.discount_percent),
                "name": line.description,
                "tax_ids": [[6, 0, [taxes[t.code] for t in line.taxes]]],
            }] for line in invoice.lines],
        }
        origin = " / ".join(filter(None, (invoice.order_reference,
                                          self._order_name(invoice.order_external_id))))
        for field, value in (("invoice_origin", origin), ("narration", invoice.notes),
                             ("reversed_entry_id", reversed_id)):
            if value:
                vals[field] = value
        if invoice.due_date:
            vals["invoice_date_due"] = invoice.due_date.isoformat()
        return self.wire.call("account.move", "create", vals_list=[vals])[0], match

    def _currency(self, code: str) -> int:
        ids = self.wire.call("res.currency", "search", domain=[["name", "=", code]], limit=1)
        if not ids:
            raise PermanentError(f"{self.what}: currency {code} is not active in Odoo")
        return ids[0]

    def _corrected(self, invoice: InvoiceOut) -> int | None:
        if invoice.corrects_external_id.isdigit():
            domain = [["id", "=", int(invoice.corrects_external_id)]]
        elif invoice.corrects_number:
            domain = [["name", "=", invoice.corrects_number], ["move_type", "=", "out_invoice"]]
        else:
            return None
        ids = self.wire.call("account.move", "search", domain=domain, limit=1)
        if not ids:
            raise PermanentError(
                f"{self.what}: the invoice this credit note corrects "
                f"({invoice.corrects_number or invoice.corrects_external_id}) is not in Odoo")
        return ids[0]

    def _order_name(self, external_id: str) -> str:
        if not external_id.isdigit():
            return ""
        rows = self.wire.call("sale.order", "search_read",
                              domain=[["id", "=", int(external_id)]], fields=["name"])
        return rows[0]["name"] if rows else ""


def remote_invoice(row: dict) -> RemoteInvoice:
    """An Odoo account.move row as the neutral RemoteInvoice."""
    paid_up = row["state"] == "posted" and row.get("payment_state") in PAID
    state = {"draft": "draft", "cancel": "cancelled"}.get(
        row["state"], "paid" if paid_up else "posted")
    total = money(row.get("amount_total"))
    if state == "posted":
        residual = money(row.get("amount_residual"))
    else:
        residual = Decimal(0) if state in ("paid", "cancelled") else total
    pay_state = "paid" if paid_up else (
        payment_state(total, residual) if state == "posted" else "not_paid")
    widget = row.get("invoice_payments_widget") or {}
    dates = [p["date"] for p in (widget.get("content") or []) if isinstance(widget, dict)
             and p.get("date")]
    reversed_entry = row.get("reversed_entry_id")
    currency = row.get("currency_id")
    remote_state = row["state"] + (f" ({row['payment_state']})" if row["state"] == "posted"
                                   and row.get("payment_state") else "")
    return RemoteInvoice(
        external_id=str(row["id"]),
        number="" if row.get("name") in (None, False, "/") else row["name"],
        kind="credit_note" if row.get("move_type") == "out_refund" else "invoice",
        state=state, remote_state=remote_state,
        currency=currency[1] if currency else "",
        invoice_date=_date(row.get("invoice_date")), due_date=_date(row.get("invoice_date_due")),
        total_untaxed=money(row.get("amount_untaxed")), total_tax=money(row.get("amount_tax")),
        total=total, residual=residual,
        amount_paid=(total - residual) if state in ("posted", "paid") else Decimal(0),
        payment_state=pay_state,
        payment_date=_date(max(dates)) if dates and pay_state != "not_paid" else None,
        reference=row.get("ref") or "",
        customer_external_id=str(row["partner_id"][0]) if row.get("partner_id") else "",
        corrects_external_id=str(reversed_entry[0]) if reversed_entry else "")


def _date(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None
