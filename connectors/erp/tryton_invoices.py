"""Tryton (trytond 8.2 account_invoice + sale) invoices for the ErpClient
invoice calls, as trytond's account_invoice/invoice.py has them:

- our invoice -> `account.invoice` of type "out" with `reference` = our
  number, searched before any create. A draft or validated one found there
  (a crash between create and post) is posted, not duplicated; if the only
  ones are cancelled, that is a PermanentError, as for sales.
- Tryton 8.2 has no credit-note type: a credit note is an "out" invoice with
  negative quantities (numbered by the fiscal year's credit-note sequence);
  its lines point at the corrected invoice's lines (`origin` =
  account.invoice.line, what Tryton's own credit wizard does), so Tryton
  lists it under `origin_invoices`. Our amounts stay positive both ways.
- customer, products, taxes and unit prices as for sales (`tryton_party`,
  `tryton_lines`); Tryton runs no on_change over RPC, so the invoice gets
  its receivable account (the party's, else the accounting configuration's
  default), the revenue journal and each line its revenue account (the
  product's accounting category), currency and company explicitly.
- due date: with ours, no payment term and `payment_term_date` = our due
  date (Tryton then makes one line to pay on that date); without, the
  backend's `payment_term` option, the party's, else Tryton's default.
  Tryton refuses a due date in the past with a warning: such an invoice goes
  with the payment term and a note says so. An invoice dated in the future
  is refused the same way (a PermanentError quoting Tryton's warning).
- posted with the `post` button (validate + number + move); read back:
  number, state, totals, `amount_to_pay` (the residual), `reconciled` (the
  date the invoice was fully paid), the payment lines' dates, the maturity
  dates of the lines to pay (the due date) and `sales` (the origin sale).
- states: draft/validated -> draft, posted, paid, cancelled. Tryton moves a
  reconciled invoice to "paid" in a queued task: a posted invoice with a
  `reconciled` date is already paid (payment state paid, residual 0).
- the ERP-invoices mode: `sale.sale.invoices` of each synced sale, plus the
  credit notes Tryton's credit wizard made from those invoices (their lines'
  `origin` is an invoice line, which sale.invoices does not follow).
- a period's invoices (reconciliation): `search_read` of type "out" on
  `invoice_date`, paged by id (`id > last`, ordered by id, `limit`).
The link from one of our invoices to its Tryton sale is kept as text in the
invoice's description: a sale-line origin would make Tryton count the sale
as invoiced twice when it also invoices it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

from ..errors import PermanentError
from .invoice_payloads import InvoiceOut, RemoteInvoice, payment_state, totals_differ

STATES = {"draft": "draft", "validated": "draft", "posted": "posted", "paid": "paid",
          "cancelled": "cancelled"}
INVOICE_FIELDS = ["number", "reference", "type", "state", "invoice_date", "currency.code",
                  "untaxed_amount", "tax_amount", "total_amount", "amount_to_pay", "reconciled",
                  "party", "sales", "origin_invoices", "lines_to_pay.maturity_date",
                  "payment_lines.date", "reconciliation_lines.date"]
# what a reconciliation compares (no payment lines: Tryton computes them per invoice)
LIST_FIELDS = ["number", "reference", "type", "state", "invoice_date", "currency.code",
               "untaxed_amount", "tax_amount", "total_amount", "amount_to_pay", "reconciled"]
PAGE = 1000


class TrytonInvoices:
    """The invoice half of `TrytonClient` (it passes itself: wire, parties,
    lines, currency look-ups)."""

    def __init__(self, client):
        self.client, self.wire, self.what = client, client.wire, client.what

    def find(self, reference: str) -> RemoteInvoice | None:
        rows = self._with_reference(reference)
        live = [r for r in rows if r["state"] != "cancelled"]
        return remote_invoice(live[0] if live else rows[0]) if rows else None

    def push(self, invoice: InvoiceOut) -> RemoteInvoice:
        rows = self._with_reference(invoice.reference)
        live = [r for r in rows if r["state"] != "cancelled"]
        if not live and rows:
            raise PermanentError(
                f"{self.what}: invoice {rows[0]['number'] or rows[0]['id']} with reference "
                f"{invoice.reference} was cancelled in Tryton; not creating another one")
        match, notes = "", ()
        if live:
            invoice_id, state = live[0]["id"], live[0]["state"]
        else:
            (invoice_id, match, notes), state = self._create(invoice), "draft"
        if state in ("draft", "validated"):
            self.wire.call("model.account.invoice.post", [invoice_id])
        got = self.read([invoice_id])[str(invoice_id)]
        differ = totals_differ(invoice, got)
        return replace(got, customer_match=match, notes=notes + ((differ,) if differ else ()))

    def read(self, external_ids) -> dict[str, RemoteInvoice]:
        ids = [int(i) for i in external_ids if str(i).isdigit()]
        if not ids:
            return {}
        rows = self.wire.search_read("account.invoice", [("id", "in", ids)],
                                     ["id", *INVOICE_FIELDS])
        return {str(row["id"]): remote_invoice(row) for row in rows}

    def for_orders(self, order_ids: list[str]) -> dict[str, list[RemoteInvoice]]:
        ids = [int(i) for i in order_ids if str(i).isdigit()]
        if not ids:
            return {}
        sales = self.wire.search_read("sale.sale", [("id", "in", ids)], ["invoices"])
        of_sale = {i: s["id"] for s in sales for i in s["invoices"]}
        of_sale.update(self._credit_notes_of(of_sale))
        invoices = self.read(sorted(of_sale))
        found: dict[str, list[RemoteInvoice]] = {}
        for invoice_id, sale in of_sale.items():
            if str(invoice_id) in invoices:
                found.setdefault(str(sale), []).append(
                    replace(invoices[str(invoice_id)], order_external_id=str(sale)))
        return found

    def dated(self, first: date, last: date) -> Iterator[list[RemoteInvoice]]:
        after = 0
        while True:
            rows = self.wire.search_read("account.invoice", [
                ("type", "=", "out"), ("invoice_date", ">=", first),
                ("invoice_date", "<=", last), ("id", ">", after)],
                ["id", *LIST_FIELDS], order=[("id", "ASC")], limit=PAGE)
            if rows:
                yield [remote_invoice(row) for row in rows]
            if len(rows) < PAGE:
                return
            after = rows[-1]["id"]

    def _credit_notes_of(self, of_sale: dict[int, int]) -> dict[int, int]:
        """{credit note id: sale id} for credit notes made in Tryton from these
        invoices (its credit wizard): their lines point at the invoice lines,
        not at the sale lines, so sale.invoices leaves them out."""
        if not of_sale:
            return {}
        lines = self.wire.search_read("account.invoice.line",
                                      [("invoice", "in", sorted(of_sale))], ["invoice"])
        invoice_of_line = {line["id"]: line["invoice"] for line in lines}
        credits = self.wire.search_read("account.invoice.line", [(
            "origin", "in", [f"account.invoice.line,{i}" for i in sorted(invoice_of_line)])],
            ["invoice", "origin"]) if invoice_of_line else []
        return {line["invoice"]: of_sale[invoice_of_line[int(line["origin"].split(",")[1])]]
                for line in credits if line["invoice"] not in of_sale}

    # -- creating ---------------------------------------------------------------

    def _with_reference(self, reference: str) -> list[dict]:
        return self.wire.search_read(
            "account.invoice", [("reference", "=", reference), ("type", "=", "out")],
            ["id", *INVOICE_FIELDS], order=[("id", "ASC")])

    def _create(self, invoice: InvoiceOut):
        # everything that can be refused is checked before the first write
        client = self.client
        currency = client._currency(invoice.currency)
        lines = client.lines.values(invoice)
        accounts = self._revenue_accounts(invoice)
        corrected = self._corrected_lines(invoice) if invoice.kind == "credit_note" else []
        journal = self._revenue_journal()
        term = client._payment_term()
        match, party = client.parties.find(invoice.customer)
        if party is None:
            party = client.parties.create(invoice.customer)
        address = client.parties.address_for_sale(invoice.customer, party)
        company = self.wire.context["company"]
        sign = -1 if invoice.kind == "credit_note" else 1
        for line, ours in zip(lines, invoice.lines):
            line.update(account=accounts[ours.product_code], currency=currency,
                        company=company, invoice_type="out",
                        quantity=line["quantity"] * sign)
            origin = _pop_origin(corrected, line["product"])
            if origin:
                line["origin"] = f"account.invoice.line,{origin}"
        values = {
            "type": "out", "company": company, "party": party["id"],
            "invoice_address": address, "currency": currency, "journal": journal,
            "account": self._receivable(party["id"]), "reference": invoice.reference,
            "invoice_date": invoice.invoice_date, "description": _description(invoice),
            "comment": invoice.notes or None, "lines": [["create", lines]],
        }
        notes = match.notes
        if invoice.due_date and invoice.due_date >= date.today():
            values.update(payment_term=None, payment_term_date=invoice.due_date)
        else:
            if invoice.due_date:
                notes += (f"due date {invoice.due_date} is past: Tryton's payment term "
                          "decides the due date",)
            if term or party.get("customer_payment_term"):
                values["payment_term"] = term or party["customer_payment_term"]
        invoice_id, = self.wire.call("model.account.invoice.create", [values])
        return invoice_id, match.by or "created", notes

    def _revenue_accounts(self, invoice: InvoiceOut) -> dict[str, int]:
        codes = sorted({line.product_code for line in invoice.lines})
        rows = self.wire.search_read("product.product", [("code", "in", codes)],
                                     ["code", "template.account_category.account_revenue"])
        accounts = {}
        for row in rows:
            category = (row.get("template.") or {}).get("account_category.") or {}
            accounts[row["code"]] = category.get("account_revenue")
        missing = [code for code in codes if not accounts.get(code)]
        if missing:
            raise PermanentError(f"{self.what}: product(s) without a revenue account (set "
                                 f"an accounting category in Tryton): {', '.join(missing)}")
        return accounts

    def _corrected_lines(self, invoice: InvoiceOut) -> list[tuple[int, int]]:
        """(product id, line id) of the invoice a credit note corrects."""
        if invoice.corrects_external_id.isdigit():
            domain = [("id", "=", int(invoice.corrects_external_id))]
        elif invoice.corrects_number:
            domain = [("number", "=", invoice.corrects_number), ("type", "=", "out")]
        else:
            return []
        rows = self.wire.search_read("account.invoice", domain, ["lines"])
        if not rows:
            raise PermanentError(
                f"{self.what}: the invoice this credit note corrects "
                f"({invoice.corrects_number or invoice.corrects_external_id}) is not in Tryton")
        lines = self.wire.search_read("account.invoice.line", [("invoice", "=", rows[0]["id"])],
                                      ["product"], order=[("id", "ASC")])
        return [(line["product"], line["id"]) for line in lines]

    def _revenue_journal(self) -> int:
        rows = self.wire.search_read("account.journal", [("type", "=", "revenue")], ["id"],
                                     order=[("id", "ASC")], limit=1)
        if not rows:
            raise PermanentError(f"{self.what}: no revenue journal in Tryton")
        return rows[0]["id"]

    def _receivable(self, party_id: int) -> int:
        party, = self.wire.call("model.party.party.read", [party_id], ["account_receivable"])
        if party.get("account_receivable"):
            return party["account_receivable"]
        config = self.wire.call("model.account.configuration.read", [1],
                                ["default_account_receivable"])
        if not config or not config[0].get("default_account_receivable"):
            raise PermanentError(f"{self.what}: no receivable account for party {party_id} "
                                 "and no default in the accounting configuration")
        return config[0]["default_account_receivable"]


def _pop_origin(corrected: list[tuple[int, int]], product: int) -> int | None:
    for n, (product_id, line_id) in enumerate(corrected):
        if product_id == product:
            del corrected[n]
            return line_id
    return None


def _description(invoice: InvoiceOut) -> str | None:
    parts = []
    if invoice.kind == "credit_note" and (invoice.corrects_number or invoice.corrects_external_id):
        parts.append(f"Credit note for {invoice.corrects_number or invoice.corrects_external_id}")
    if invoice.order_reference or invoice.order_external_id:
        parts.append("order " + " / ".join(filter(None, (invoice.order_reference,
                                                        invoice.order_external_id and
                                                        f"sale {invoice.order_external_id}"))))
    return "; ".join(parts) or None


def remote_invoice(row: dict) -> RemoteInvoice:
    """A Tryton account.invoice row as the neutral RemoteInvoice."""
    total = row["total_amount"]
    credit = total is not None and total < 0 or (row.get("untaxed_amount") or 0) < 0
    sign = Decimal(-1) if credit else Decimal(1)
    untaxed, tax, total = (v * sign if v is not None else None for v in
                           (row["untaxed_amount"], row["tax_amount"], total))
    state = STATES.get(row["state"], row["state"])
    reconciled = row.get("reconciled")
    remote_state = row["state"]
    if state == "posted" and reconciled:  # Tryton's queue has not marked it paid yet
        state, remote_state = "paid", "posted (reconciled)"
    if state == "posted":
        residual = (row.get("amount_to_pay") or Decimal(0)) * sign
    elif state == "paid":
        residual = Decimal(0)
    elif state == "draft":
        residual = total
    else:
        residual = Decimal(0)
    paid = total - residual if state in ("posted", "paid") and total is not None else Decimal(0)
    pay_state = payment_state(total, residual) if state in ("posted", "paid") else "not_paid"
    # the payments' own dates (`reconciled` is the reconciliation's, which
    # Tryton dates at the latest line: the due date of an invoice paid early)
    dates = [line["date"] for key in ("payment_lines.", "reconciliation_lines.")
             for line in row.get(key) or [] if line.get("date")]
    payment_date = (max(dates) if dates else reconciled) if pay_state != "not_paid" else None
    maturities = [line["maturity_date"] for line in row.get("lines_to_pay.") or []
                  if line.get("maturity_date")]
    sales, origins = row.get("sales") or [], row.get("origin_invoices") or []
    return RemoteInvoice(
        external_id=str(row["id"]), number=row.get("number") or "",
        kind="credit_note" if credit else "invoice", state=state, remote_state=remote_state,
        currency=(row.get("currency.") or {}).get("code", ""),
        invoice_date=row.get("invoice_date"), due_date=max(maturities) if maturities else None,
        total_untaxed=untaxed, total_tax=tax, total=total, amount_paid=paid, residual=residual,
        payment_state=pay_state, payment_date=payment_date,
        order_external_id=str(sales[0]) if sales else "", reference=row.get("reference") or "",
        customer_external_id=str(row.get("party") or ""),
        corrects_external_id=str(origins[0]) if origins else "")
