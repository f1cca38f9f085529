"""An ERPNext stand-in: the part of Frappe's REST API our ERPNext client
uses, over real HTTP, in memory.

Published documents it follows:
- Frappe "REST API" (docs.frappe.io/framework/user/en/api/rest and the
  integration guide): `Authorization: token <api_key>:<api_secret>`;
  `GET /api/resource/<DocType>?fields=[...]&filters=[[field, op, value]]
  &limit_page_length=N` -> {"data": [...]} (page length 20 unless given, 0 =
  all; `limit_start` skips, `order_by` "field asc|desc" sorts; filter
  operators =, !=, in, >, >=, <, <=); `GET /api/resource/<DocType>/<name>`, `POST /api/resource/<DocType>`
  and `PUT /api/resource/<DocType>/<name>` -> {"data": {...}}; a document
  posted or put with `docstatus: 1` is submitted, `docstatus: 2` cancels;
  `POST /api/method/frappe.client.cancel` {doctype, name};
  `DELETE /api/resource/<DocType>/<name>` (a submitted document is refused:
  "Submitted Record cannot be deleted. You must Cancel it first.");
  `GET /api/method/frappe.auth.get_logged_user` -> {"message": user}.
- Frappe errors (frappe/exceptions.py http_status_code, frappe/app.py
  handle_exception): ValidationError and its subclasses (MandatoryError,
  LinkValidationError, LinkExistsError...) 417, AuthenticationError 401,
  PermissionError 403, DoesNotExistError 404, DuplicateEntryError 409; body
  {"exception": "frappe.exceptions.X: ...", "exc_type": "X", "exc": "[...]",
  "_server_messages": "[\\"{\\\\\\"message\\\\\\": ...}\\"]"} (a JSON list of
  JSON-encoded message objects).
- ERPNext's Sales Order rules (erpnext/selling/doctype/sales_order): a
  missing delivery date is "Please enter Delivery Date"; link fields must
  point at existing records ("Could not find Row #1: Item Code: X"); status
  on submit "To Deliver and Bill", then "To Bill"/"To Deliver"/"Completed"
  as delivery notes and invoices follow, "Cancelled" after cancel; an order
  with a submitted Delivery Note cannot be cancelled (LinkExistsError).
  Customers are named by customer name (ERPNext's default "Customer Naming
  By"), duplicates get " - 1"; `email_id` on insert makes the primary
  contact, modelled here as a stored field. The site has the custom Data
  field `crossdock_reference` on Customer, as the client's docs ask.

- Sales taxes (erpnext/controllers/taxes_and_totals.py): `taxes` rows of
  Sales Taxes and Charges on an `account_head` (a link to Account); an
  "Actual" row carries its own `tax_amount`, an "On Net Total" row is `rate`
  percent of the net total, rounded once per row; `total_taxes_and_charges`
  and `grand_total`. Item rates and amounts are rounded to the currency
  precision (2) with Frappe's default "Banker's Rounding"; a rate with a
  discount is derived from `price_list_rate`. Tax accounts "VAT 13% - CTC",
  "VAT 9% - CTC", "VAT 6% - CTC", "VAT 0% - CTC" and the group "Duties and
  Taxes - CTC" exist.

Sales Invoice and Payment Entry: `erpnext_invoicing` (its docstring names
the documents).

Lookups by name, po_no, item_code, tax_id, email_id and crossdock_reference
are dictionary hits.
"""
from __future__ import annotations

import argparse
import itertools
import json
import operator
import threading
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from .erpnext_invoicing import INVOICE_FIELDS, PAYMENT_FIELDS, InvoicingMixin
from .json_http import JsonHttpServer, Request, is_unparsable

CENT = Decimal("0.01")
TAX_ACCOUNTS = ("VAT 13% - CTC", "VAT 9% - CTC", "VAT 6% - CTC", "VAT 0% - CTC")
INDEXED = {"Customer": ("tax_id", "email_id", "crossdock_reference"),
           "Sales Order": ("po_no",), "Item": ("item_code",),
           "Sales Invoice": ("crossdock_reference",)}
STATUS_CODES = {"ValidationError": 417, "MandatoryError": 417, "LinkValidationError": 417,
                "LinkExistsError": 417, "DocstatusTransitionError": 417, "DataError": 417,
                "AuthenticationError": 401, "PermissionError": 403,
                "DoesNotExistError": 404, "DuplicateEntryError": 409}


class FrappeError(Exception):
    def __init__(self, exc_type: str, message: str):
        super().__init__(message)
        self.exc_type, self.message = exc_type, message
        self.status = STATUS_CODES[exc_type]


class ErpNextDouble(InvoicingMixin):
    """An ERPNext site with one API user, one company and its warehouses,
    and seeded items {item_code: standard rate}."""

    def __init__(self, items: dict[str, Decimal | str | float] | None = None, *,
                 api_key: str = "erp-key", api_secret: str = "erp-secret",
                 user: str = "api@example.com", company: str = "Crossdock Test Co",
                 warehouses: tuple[str, ...] = ("Stores - CTC",)):
        self.api_key, self.api_secret, self.user = api_key, api_secret, user
        self.company, self.warehouses = company, set(warehouses)
        self._lock = threading.RLock()
        self._so_seq = itertools.count(1)
        self._dn_seq = itertools.count(1)
        self.docs: dict[str, dict[str, dict]] = {"Customer": {}, "Sales Order": {}, "Item": {},
                                                 "Account": {}, "Sales Invoice": {},
                                                 "Payment Entry": {}}
        self._index = {(dt, f): {} for dt, fields in INDEXED.items() for f in fields}
        for code, rate in (items or {}).items():
            self.add_item(code, rate)
        for account in TAX_ACCOUNTS:
            self._store("Account", {"name": account, "account_name": account.split(" - ")[0],
                                    "account_type": "Tax", "is_group": 0, "docstatus": 0})
        self._store("Account", {"name": "Duties and Taxes - CTC", "account_type": "",
                                "account_name": "Duties and Taxes", "is_group": 1,
                                "docstatus": 0})

    # -- seeding and inspection, for tests ----------------------------------
    def add_item(self, code: str, rate=Decimal("10"), disabled: int = 0) -> None:
        with self._lock:
            self._store("Item", {"name": code, "item_code": code, "item_name": f"Item {code}",
                                 "standard_rate": Decimal(str(rate)), "disabled": disabled,
                                 "docstatus": 0})

    def add_customer(self, customer_name: str, **fields) -> str:
        with self._lock:
            return self._insert_customer({"customer_name": customer_name, **fields})["name"]

    def order_by_po(self, po_no: str) -> dict | None:
        with self._lock:
            names = self._index[("Sales Order", "po_no")].get(po_no, [])
            return json.loads(json.dumps(self.docs["Sales Order"][names[0]], default=str)) \
                if names else None

    def orders_with_po(self, po_no: str) -> int:
        with self._lock:
            return len(self._index[("Sales Order", "po_no")].get(po_no, []))

    def deliver(self, po_no: str, *, billed: bool = False) -> None:
        """What submitting a Delivery Note (and a Sales Invoice) does to the order."""
        with self._lock:
            order = self.docs["Sales Order"][self._index[("Sales Order", "po_no")][po_no][0]]
            order["per_delivered"] = 100
            order["per_billed"] = 100 if billed else 0
            order["delivery_notes"] = [f"MAT-DN-{date.today().year}-{next(self._dn_seq):05d}"]
            order["status"] = "Completed" if billed else "To Bill"

    # -- HTTP entry point ---------------------------------------------------
    def handle(self, request: Request):
        try:
            self._authenticate(request.headers.get("authorization", ""))
            if is_unparsable(request.body):
                raise FrappeError("ValidationError", "Invalid JSON body")
            with self._lock:
                return 200, self._route(request), None
        except FrappeError as error:
            return error.status, _error_body(error), None

    def _authenticate(self, header: str) -> None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "token" or token.strip() != f"{self.api_key}:{self.api_secret}":
            raise FrappeError("AuthenticationError", "Invalid Authentication Token" if header
                              else "Not permitted")

    def _route(self, request: Request):
        path, method = request.path, request.method
        if path == "/api/method/frappe.auth.get_logged_user":
            return {"message": self.user}
        if path == "/api/method/frappe.client.cancel" and method == "POST":
            body = request.body or {}
            self._cancel(self._get(body.get("doctype"), body.get("name")))
            return {"message": None}
        if not path.startswith("/api/resource/"):
            raise FrappeError("DoesNotExistError", f"Page {path} not found")
        doctype, _, name = path[len("/api/resource/"):].partition("/")
        if doctype not in self.docs:
            raise FrappeError("DoesNotExistError", f"DocType {doctype} not found")
        if not name and method == "GET":
            return {"data": self._list(doctype, request.query)}
        if not name and method == "POST":
            return {"data": self._insert(doctype, dict(request.body or {}))}
        if name and method == "GET":
            return {"data": self._get(doctype, name)}
        if name and method == "PUT":
            return {"data": self._update(self._get(doctype, name), dict(request.body or {}))}
        if name and method == "DELETE":
            self._delete(doctype, self._get(doctype, name))
            return {"message": "ok"}
        raise FrappeError("PermissionError", "Not permitted")

    # -- documents ------------------------------------------------------------
    def _get(self, doctype, name) -> dict:
        doc = self.docs.get(doctype, {}).get(name)
        if doc is None:
            raise FrappeError("DoesNotExistError", f"{doctype} {name} not found")
        return doc

    def _list(self, doctype: str, query: dict) -> list[dict]:
        fields = json.loads(query.get("fields", '["name"]'))
        filters = json.loads(query.get("filters", "[]"))
        if isinstance(filters, dict):
            filters = [[k, *(v if isinstance(v, list) else ["=", v])] for k, v in filters.items()]
        limit = int(query.get("limit_page_length", 20))
        start = int(query.get("limit_start", 0))
        joined = self._joined_rows(doctype, filters, fields)
        if joined is not None:
            return joined[start:start + limit] if limit else joined[start:]
        filters = [f[-3:] for f in filters]  # [doctype, field, op, value] -> [field, op, value]
        for field in [f[0] for f in filters] + [f for f in fields if f != "*"]:
            if field not in ("name", "docstatus") and not self._has_field(doctype, field):
                raise FrappeError("DataError", f"Field not permitted in query: {field}")
        rows = [doc for doc in self._candidates(doctype, filters)
                if all(_match(doc, f) for f in filters)]
        if query.get("order_by"):  # "field asc|desc", as frappe.get_list takes it
            field, _, direction = query["order_by"].partition(" ")
            rows.sort(key=lambda doc: doc.get(field) or "", reverse=direction.lower() == "desc")
        rows = rows[start:start + limit] if limit else rows[start:]
        return [dict(doc) if fields == ["*"] else {f: doc.get(f) for f in fields} for doc in rows]

    def _has_field(self, doctype, field) -> bool:
        return field in _FIELDS[doctype]

    def _candidates(self, doctype, filters):
        for field, op, value in filters:
            if op in ("=", "in") and (field == "name" or (doctype, field) in self._index):
                keys = value if op == "in" else [value]
                if field == "name":
                    return [self.docs[doctype][k] for k in keys if k in self.docs[doctype]]
                index = self._index[(doctype, field)]
                names = sorted({n for k in keys for n in index.get(k, [])})
                return [self.docs[doctype][n] for n in names]
        return list(self.docs[doctype].values())

    def _insert(self, doctype: str, body: dict) -> dict:
        unknown = [f for f in body if f not in _FIELDS[doctype] and f not in ("doctype", "docstatus")]
        if unknown:  # Frappe ignores unknown keys on insert; a double should tell us
            raise FrappeError("ValidationError", f"Unknown field(s) {unknown} for {doctype}")
        if doctype == "Customer":
            return self._insert_customer(body)
        if doctype == "Sales Order":
            return self._insert_sales_order(body)
        if doctype == "Sales Invoice":
            return self._insert_sales_invoice(body)
        raise FrappeError("PermissionError", f"No permission to create {doctype}")

    def _insert_customer(self, body: dict) -> dict:
        if not body.get("customer_name"):
            raise FrappeError("MandatoryError",
                              "Error: Value missing for Customer: Customer Name")
        name, n = body["customer_name"], 0
        while name in self.docs["Customer"]:
            n += 1
            name = f"{body['customer_name']} - {n}"
        doc = {"customer_type": "Company", "customer_group": "All Customer Groups",
               "territory": "All Territories", "tax_id": None, "email_id": None,
               "mobile_no": None, "crossdock_reference": None, **body,
               "name": name, "docstatus": 0, "disabled": 0}
        return self._store("Customer", doc)

    def _insert_sales_order(self, body: dict) -> dict:
        for field, label in (("customer", "Customer"), ("transaction_date", "Date")):
            if not body.get(field):
                raise FrappeError("MandatoryError",
                                  f"Error: Value missing for Sales Order: {label}")
        self._link("Customer", body["customer"], "Customer")
        company = body.get("company") or self.company
        if company != self.company:
            raise FrappeError("LinkValidationError", f"Could not find Company: {company}")
        if body.get("set_warehouse") and body["set_warehouse"] not in self.warehouses:
            raise FrappeError("LinkValidationError",
                              f"Could not find Set Source Warehouse: {body['set_warehouse']}")
        items = body.get("items") or []
        if not items:
            raise FrappeError("MandatoryError", "Error: Value missing for Sales Order: Items")
        for row, item in enumerate(items, 1):
            self._link("Item", item.get("item_code"), f"Row #{row}: Item Code")
        delivery = body.get("delivery_date") or max(
            (i["delivery_date"] for i in items if i.get("delivery_date")), default=None)
        if not delivery:
            raise FrappeError("ValidationError", "Please enter Delivery Date")
        if date.fromisoformat(str(delivery)) < date.fromisoformat(str(body["transaction_date"])):
            raise FrappeError("ValidationError",
                              "Expected Delivery Date should be after Sales Order Date")
        year = date.fromisoformat(str(body["transaction_date"])).year
        lines, net_total = [], Decimal(0)
        for idx, item in enumerate(items, 1):
            qty = Decimal(str(item.get("qty") or 0))
            if qty <= 0:
                raise FrappeError("ValidationError", f"Row #{idx}: Quantity must be greater than 0")
            plr = Decimal(str(item.get("price_list_rate") or item.get("rate") or 0))
            discount = Decimal(str(item.get("discount_percentage") or 0))
            # ERPNext derives rate from price_list_rate and discount_percentage
            rate = _flt(plr * (1 - discount / 100) if discount
                        else Decimal(str(item.get("rate", plr))))
            amount = _flt(qty * rate)
            net_total += amount
            stock = self.docs["Item"][item["item_code"]]
            lines.append({**item, "idx": idx, "qty": qty, "price_list_rate": plr,
                          "discount_percentage": discount, "rate": rate, "amount": amount,
                          "description": item.get("description") or stock["item_name"],
                          "delivery_date": item.get("delivery_date") or delivery,
                          "warehouse": item.get("warehouse") or body.get("set_warehouse")})
        taxes, total_taxes = [], Decimal(0)
        for idx, row in enumerate(body.get("taxes") or [], 1):
            self._link("Account", row.get("account_head"), f"Row #{idx}: Account Head")
            if self.docs["Account"][row["account_head"]]["is_group"]:
                raise FrappeError("ValidationError", f"Row #{idx}: Account Head "
                                  f"{row['account_head']} is a group account")
            if row.get("charge_type") == "Actual":
                tax_amount = _flt(Decimal(str(row.get("tax_amount") or 0)))
            elif row.get("charge_type") == "On Net Total":
                tax_amount = _flt(net_total * Decimal(str(row.get("rate") or 0)) / 100)
            else:
                raise FrappeError("ValidationError", f"Row #{idx}: charge type "
                                  f"{row.get('charge_type')!r} not modelled by this double")
            total_taxes += tax_amount
            taxes.append({**row, "idx": idx, "tax_amount": tax_amount,
                          "total": net_total + total_taxes})
        doc = {**body, "name": f"SAL-ORD-{year}-{next(self._so_seq):05d}", "items": lines,
               "taxes": taxes, "company": company, "delivery_date": delivery,
               "currency": body.get("currency"), "net_total": net_total, "total": net_total,
               "total_taxes_and_charges": total_taxes, "grand_total": net_total + total_taxes,
               "per_delivered": 0, "per_billed": 0,
               "delivery_notes": [], "docstatus": 0, "status": "Draft"}
        if int(body.get("docstatus") or 0) == 1:
            self._submit(doc)
        elif int(body.get("docstatus") or 0) not in (0, 1):
            raise FrappeError("DocstatusTransitionError",
                              "Cannot change docstatus from 0 to 2")
        return self._store("Sales Order", doc)

    def _update(self, doc: dict, body: dict) -> dict:
        target = int(body.pop("docstatus", doc["docstatus"]))
        if body and doc["docstatus"] != 0:
            raise FrappeError("ValidationError",
                              "Cannot edit a submitted document; cancel and amend it")
        doc.update(body)
        if target == doc["docstatus"]:
            return doc
        if (doc["docstatus"], target) == (0, 1) and "outstanding_amount" in doc:
            self._submit_invoice(doc)
        elif (doc["docstatus"], target) == (0, 1):
            self._submit(doc)
        elif (doc["docstatus"], target) == (1, 2):
            self._cancel(doc)
        else:
            raise FrappeError("DocstatusTransitionError",
                              f"Cannot change docstatus from {doc['docstatus']} to {target}")
        return doc

    def _submit(self, doc: dict) -> None:
        doc["docstatus"], doc["status"] = 1, "To Deliver and Bill"

    def _cancel(self, doc: dict) -> None:
        if doc["docstatus"] != 1:
            raise FrappeError("DocstatusTransitionError",
                              f"Cannot change docstatus from {doc['docstatus']} to 2")
        if doc.get("delivery_notes"):
            raise FrappeError("LinkExistsError",
                              f"Cannot delete or cancel because Sales Order {doc['name']} is "
                              f"linked with Delivery Note {doc['delivery_notes'][0]}")
        doc["docstatus"], doc["status"] = 2, "Cancelled"

    def _delete(self, doctype: str, doc: dict) -> None:
        if doc["docstatus"] == 1:
            raise FrappeError("ValidationError", "Submitted Record cannot be deleted. "
                              "You must Cancel it first.")
        del self.docs[doctype][doc["name"]]
        for field in INDEXED.get(doctype, ()):
            names = self._index[(doctype, field)].get(doc.get(field), [])
            if doc["name"] in names:
                names.remove(doc["name"])

    def _link(self, doctype: str, name, label: str) -> None:
        if not name or name not in self.docs[doctype] or self.docs[doctype][name].get("disabled"):
            raise FrappeError("LinkValidationError", f"Could not find {label}: {name}")

    def _store(self, doctype: str, doc: dict) -> dict:
        self.docs[doctype][doc["name"]] = doc
        for field in INDEXED.get(doctype, ()):
            if doc.get(field):
                self._index[(doctype, field)].setdefault(doc[field], []).append(doc["name"])
        return doc


_FIELDS = {
    "Customer": {"name", "customer_name", "customer_type", "customer_group", "territory",
                 "tax_id", "email_id", "mobile_no", "crossdock_reference", "disabled",
                 "docstatus"},
    "Item": {"name", "item_code", "item_name", "standard_rate", "disabled", "docstatus"},
    "Sales Order": {"name", "customer", "po_no", "transaction_date", "delivery_date",
                    "currency", "company", "set_warehouse", "items", "taxes", "status",
                    "docstatus", "net_total", "total", "total_taxes_and_charges",
                    "grand_total", "per_delivered", "per_billed", "order_type", "remarks"},
    "Account": {"name", "account_name", "account_type", "is_group", "docstatus"},
    "Sales Invoice": INVOICE_FIELDS,
    "Payment Entry": PAYMENT_FIELDS,
}


COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _flt(value: Decimal) -> Decimal:
    """frappe.utils.flt(value, 2) with the default Banker's rounding."""
    return value.quantize(CENT, ROUND_HALF_EVEN)


def _match(doc: dict, leaf) -> bool:
    field, op, value = leaf
    current = doc.get(field)
    if op == "=":
        return current == value or str(current) == str(value)
    if op == "!=":
        return current != value and str(current) != str(value)
    if op == "in":
        return current in value
    if op in COMPARISONS:  # dates are ISO strings, so text order is date order
        return current is not None and COMPARISONS[op](str(current), str(value))
    raise FrappeError("ValidationError", f"Operator {op} not modelled by this double")


def _error_body(error: FrappeError) -> dict:
    """frappe.app.handle_exception's JSON: messages double-encoded, as Frappe sends them."""
    message = json.dumps({"message": error.message, "title": "Message",
                          "indicator": "red", "raise_exception": 1})
    return {"exception": f"frappe.exceptions.{error.exc_type}: {error.message}",
            "exc_type": error.exc_type,
            "exc": json.dumps([f"Traceback (most recent call last):\n"
                               f"frappe.exceptions.{error.exc_type}: {error.message}"]),
            "_server_messages": json.dumps([message])}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Serve an in-memory ERPNext double.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--items", default="", help="CODE[=RATE],CODE[=RATE],...")
    parser.add_argument("--api-key", default="erp-key")
    parser.add_argument("--api-secret", default="erp-secret")
    args = parser.parse_args(argv)
    items = dict((p.partition("=")[0], p.partition("=")[2] or "10")
                 for p in args.items.split(",") if p.strip())
    server = JsonHttpServer(ErpNextDouble(items, api_key=args.api_key,
                                          api_secret=args.api_secret), port=args.port)
    print(f"ERPNext double on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
