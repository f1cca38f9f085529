"""The ERPNext double's invoices: `Sales Invoice` and `Payment Entry` as
ERPNext publishes them, mixed into `ErpNextDouble`.

Published behaviour it follows (erpnext/accounts/doctype/sales_invoice,
payment_entry, controllers/sales_and_purchase_return.py, and Frappe's REST
and `frappe.get_list` documentation):
- a Sales Invoice has `customer`, `posting_date` (kept only with
  `set_posting_time: 1`, else today), `due_date` (not before the posting
  date: "Due Date cannot be before Posting Date"), `currency`, `company`,
  `po_no`, `items` [{item_code, qty, rate, price_list_rate,
  discount_percentage, description, sales_order}], `taxes` (as for orders),
  `disable_rounded_total` (else `rounded_total` is the grand total rounded
  to a whole unit and is what is owed), `is_return` + `return_against` for a
  credit note (its quantities negative: "Row #1: Quantity must be negative
  in a return"; `return_against` a submitted invoice: "Could not find Return
  Against: X"); inserted with `docstatus: 1` it is submitted;
- `outstanding_amount` and `status`: Draft, Unpaid / Overdue (due date
  passed), Partly Paid, Paid, Return (a credit note), Credit Note Issued
  (an invoice fully credited), Cancelled. A submitted credit note with
  `return_against` settles the invoice it corrects (its own outstanding
  stays 0);
- a submitted Payment Entry (`posting_date`, `paid_amount`, `references`
  rows of Payment Entry Reference {reference_doctype, reference_name,
  allocated_amount}) lowers the invoice's outstanding amount;
- list queries may filter on a child table with `[child doctype, field, op,
  value]` and read a child field as "`tab<Child doctype>`.field": one row per
  matching child row, as Frappe's SQL join gives them.
The site has a custom Data field `crossdock_reference` on Sales Invoice, as
the client's docs ask. `pay_invoice` here is a Payment Entry a user submits.
"""
from __future__ import annotations

import itertools
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

INVOICE_FIELDS = {"name", "customer", "posting_date", "set_posting_time", "due_date",
                  "currency", "company", "po_no", "items", "taxes", "is_return",
                  "return_against", "disable_rounded_total", "rounded_total", "net_total",
                  "total", "total_taxes_and_charges", "grand_total", "outstanding_amount",
                  "status", "docstatus", "remarks", "crossdock_reference"}
PAYMENT_FIELDS = {"name", "posting_date", "paid_amount", "party", "references", "docstatus",
                  "payment_type"}
CHILD_TABLES = {"Sales Invoice Item": ("Sales Invoice", "items"),
                "Payment Entry Reference": ("Payment Entry", "references")}


class InvoicingMixin:
    """Sales Invoice and Payment Entry for `ErpNextDouble`."""

    def _invoice_seqs(self):
        if not hasattr(self, "_sinv_seq"):
            self._sinv_seq, self._pe_seq = itertools.count(1), itertools.count(1)
        return self._sinv_seq, self._pe_seq

    # -- seeding, for tests -------------------------------------------------
    def invoice_order(self, po_no: str, *, submit: bool = True) -> str:
        """What "Create > Sales Invoice" on the order with this po_no does."""
        with self._lock:
            order = self.docs["Sales Order"][self._index[("Sales Order", "po_no")][po_no][0]]
            body = {"customer": order["customer"], "po_no": order["po_no"],
                    "currency": order["currency"], "disable_rounded_total": 1,
                    "docstatus": 1 if submit else 0,
                    "taxes": [{k: r[k] for k in ("charge_type", "account_head", "description",
                                                 "tax_amount")} for r in order["taxes"]],
                    "items": [{"item_code": i["item_code"], "qty": i["qty"], "rate": i["rate"],
                               "description": i["description"], "sales_order": order["name"]}
                              for i in order["items"]]}
            invoice = self._insert_sales_invoice(body)
            order["per_billed"] = 100
            return invoice["name"]

    def pay_invoice(self, name: str, amount=None, on: date | None = None) -> str:
        """A submitted Payment Entry (Receive) for the invoice: its outstanding unless `amount`."""
        with self._lock:
            invoice = self.docs["Sales Invoice"][name]
            amount = Decimal(str(amount)) if amount is not None else invoice["outstanding_amount"]
            entry = {"name": f"ACC-PAY-{date.today().year}-{next(self._invoice_seqs()[1]):05d}",
                     "payment_type": "Receive", "party": invoice["customer"],
                     "posting_date": (on or date.today()).isoformat(), "paid_amount": amount,
                     "docstatus": 1, "references": [{
                         "reference_doctype": "Sales Invoice", "reference_name": name,
                         "allocated_amount": amount}]}
            self.docs["Payment Entry"][entry["name"]] = entry
            invoice["outstanding_amount"] -= amount
            self._set_invoice_status(invoice)
            return entry["name"]

    # -- documents --------------------------------------------------------------
    def _insert_sales_invoice(self, body: dict) -> dict:
        from .erpnext_double import FrappeError, _flt
        if not body.get("customer"):
            raise FrappeError("MandatoryError", "Error: Value missing for Sales Invoice: Customer")
        self._link("Customer", body["customer"], "Customer")
        items = body.get("items") or []
        if not items:
            raise FrappeError("MandatoryError", "Error: Value missing for Sales Invoice: Items")
        posting = body.get("posting_date") if body.get("set_posting_time") else None
        posting = str(posting or date.today().isoformat())
        due = str(body.get("due_date") or posting)
        if date.fromisoformat(due) < date.fromisoformat(posting):
            raise FrappeError("ValidationError", "Due Date cannot be before Posting Date")
        is_return = int(body.get("is_return") or 0)
        against = body.get("return_against")
        if is_return and against and (against not in self.docs["Sales Invoice"] or
                                      self.docs["Sales Invoice"][against]["docstatus"] != 1):
            raise FrappeError("LinkValidationError", f"Could not find Return Against: {against}")
        lines, net_total = [], Decimal(0)
        for idx, item in enumerate(items, 1):
            self._link("Item", item.get("item_code"), f"Row #{idx}: Item Code")
            if item.get("sales_order"):
                self._link("Sales Order", item["sales_order"], f"Row #{idx}: Sales Order")
            qty = Decimal(str(item.get("qty") or 0))
            if is_return and qty >= 0:
                raise FrappeError("ValidationError",
                                  f"Row #{idx}: Quantity must be negative in a return")
            if not is_return and qty <= 0:
                raise FrappeError("ValidationError", f"Row #{idx}: Quantity must be greater than 0")
            plr = Decimal(str(item.get("price_list_rate") or item.get("rate") or 0))
            discount = Decimal(str(item.get("discount_percentage") or 0))
            rate = _flt(plr * (1 - discount / 100) if discount
                        else Decimal(str(item.get("rate", plr))))
            amount = _flt(qty * rate)
            net_total += amount
            lines.append({**item, "idx": idx, "qty": qty, "rate": rate, "amount": amount,
                          "price_list_rate": plr, "discount_percentage": discount})
        taxes, total_taxes = [], Decimal(0)
        for idx, row in enumerate(body.get("taxes") or [], 1):
            self._link("Account", row.get("account_head"), f"Row #{idx}: Account Head")
            tax_amount = _flt(Decimal(str(row.get("tax_amount") or 0)))
            total_taxes += tax_amount
            taxes.append({**row, "idx": idx, "tax_amount": tax_amount})
        grand = net_total + total_taxes
        rounded = grand if body.get("disable_rounded_total") else grand.quantize(
            Decimal(1), ROUND_HALF_EVEN)
        year = date.fromisoformat(posting).year
        doc = {**body, "name": f"ACC-SINV-{year}-{next(self._invoice_seqs()[0]):05d}",
               "items": lines, "taxes": taxes, "posting_date": posting, "due_date": due,
               "company": body.get("company") or self.company, "is_return": is_return,
               "net_total": net_total, "total": net_total, "total_taxes_and_charges": total_taxes,
               "grand_total": grand, "rounded_total": rounded, "outstanding_amount": rounded,
               "docstatus": 0, "status": "Draft"}
        if int(body.get("docstatus") or 0) == 1:
            self._submit_invoice(doc)
        return self._store("Sales Invoice", doc)

    def _submit_invoice(self, doc: dict) -> None:
        doc["docstatus"] = 1
        against = doc.get("return_against")
        if doc["is_return"] and against:
            original = self.docs["Sales Invoice"][against]
            original["outstanding_amount"] += doc["outstanding_amount"]  # negative
            doc["outstanding_amount"] = Decimal(0)
            self._set_invoice_status(original)
        self._set_invoice_status(doc)

    def _set_invoice_status(self, doc: dict) -> None:
        outstanding, total = doc["outstanding_amount"], doc["rounded_total"]
        if doc["docstatus"] == 2:
            doc["status"] = "Cancelled"
        elif doc["is_return"]:
            doc["status"] = "Return"
        elif outstanding <= 0 and any(
                d.get("return_against") == doc["name"] and d["docstatus"] == 1
                for d in self.docs["Sales Invoice"].values()):
            doc["status"] = "Credit Note Issued"
        elif outstanding <= 0:
            doc["status"] = "Paid"
        elif outstanding < total:
            doc["status"] = "Partly Paid"
        elif date.fromisoformat(doc["due_date"]) < date.today():
            doc["status"] = "Overdue"
        else:
            doc["status"] = "Unpaid"

    def _joined_rows(self, doctype: str, filters: list, fields: list[str]) -> list[dict] | None:
        """A list query touching a child table, as Frappe's join answers it
        (None: no child table involved)."""
        children = {f[0] for f in filters if len(f) == 4 and f[0] in CHILD_TABLES}
        children |= {f.split(".")[0].strip("`")[3:] for f in fields if f.startswith("`tab")}
        children &= {c for c, (parent, _) in CHILD_TABLES.items() if parent == doctype}
        if not children:
            return None
        child, = children
        table = CHILD_TABLES[child][1]
        from .erpnext_double import _match
        rows = []
        for doc in self.docs[doctype].values():
            for row in doc.get(table) or []:
                leaves = [(row if len(f) == 4 and f[0] == child else doc, f[-3:])
                          for f in filters]
                if all(_match(target, leaf) for target, leaf in leaves):
                    rows.append({f: (row.get(f.split(".")[1]) if f.startswith("`tab")
                                     else doc.get(f)) for f in fields})
        return rows
