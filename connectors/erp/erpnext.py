"""ERPNext sales orders from neutral payloads, over Frappe's REST API.

The calls, in Frappe's words, over `erpnext_wire.FrappeWire` (auth, REST,
errors): a document inserted with `docstatus: 1` is submitted; cancelling
is `POST /api/method/frappe.client.cancel` {doctype, name}.

Flow, idempotent on our reference:
1. `Sales Order` by `po_no` (the customer's purchase order number, a stock
   field) = our reference; a draft found there is submitted, not duplicated.
2. `Item` by `item_code` for all codes at once; every unknown or disabled
   code is named in one PermanentError before anything is created.
3. `Customer`: every customer that could be ours (the bound name, our
   reference, `tax_id`, `email_id`, `mobile_no`: stock fields), chosen by the
   rule of `customer_match` (an ambiguous match stops before anything is
   created); else created with `customer_name`, `tax_id`, `email_id`,
   `mobile_no` (ERPNext turns the last two into the primary contact).
   Stock ERPNext has no field for another system's reference, so the
   reference lives in a custom Data field on Customer, named by
   `options["customer_reference_field"]` (default `crossdock_reference`;
   add it with Customize Form). Set the option to "" to match by tax id and
   e-mail only.
4. `Sales Order` posted with `customer`, `po_no`, `transaction_date`,
   `delivery_date` (order date + `options["delivery_days"]`, default 0:
   ERPNext refuses an order without one), `currency`, `company` and
   `set_warehouse` from options, `items` [{item_code, qty, price_list_rate,
   discount_percentage, rate, description}], `taxes` and `docstatus: 1`.

Taxes: ERPNext keeps taxes per document (rows of Sales Taxes and Charges,
each on an account head) and rounds each row once, where we round each
line. So each of our taxes goes as one "Actual" row carrying our own tax
amount, on the account head our tax maps to (`tax_codes` option, e.g.
{"VAT 13%": "VAT 13% - CTC"}; our tax's name when unmapped); every head is
checked to be an existing, non-group Account before anything is created.
A price-included line goes with its untaxed rate. Item rates are rounded by
ERPNext to its currency precision (`price_digits` option, default 2) and
amounts by its rounding method (`rounding` option: "half-even", Frappe's
default Banker's rounding, or "half-up"): where our plain rate would not
land on our line amount, the nearest rate that does is sent (no discount
field then; the description says our price and discount); where none
exists, the read-back of the totals reports the difference.

Invoices (`find_invoice`, `push_invoice`, `invoice_states`,
`invoices_for_orders`): `Sales Invoice`, in `erpnext_invoices` (option
`invoice_reference_field`, default `crossdock_reference`).

`void_order` (an order created under a customer we then find bound to another
of our records) cancels it and deletes it (`DELETE /api/resource/Sales
Order/<name>`, which Frappe allows for a cancelled document).

States: Draft -> draft; To Deliver and Bill / On Hold -> confirmed;
To Bill / To Deliver (partly through) -> processing; Completed / Closed ->
done; Cancelled -> cancelled. `net_total` is the untaxed total.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from ..errors import PermanentError
from .customer_match import Match, RemoteCustomer, choose
from .erpnext_invoices import ErpNextInvoices
from .erpnext_wire import FrappeWire
from .invoice_calls import InvoiceCalls
from .line_pricing import ROUNDINGS, fit_unit_price
from .payloads import Customer, OrderLine, RemoteOrder, SaleOrder

ORDER_FIELDS = ["name", "status", "docstatus", "customer", "net_total",
                "total_taxes_and_charges", "grand_total", "po_no"]
STATES = {"Draft": "draft", "To Deliver and Bill": "confirmed", "On Hold": "confirmed",
          "To Bill": "processing", "To Deliver": "processing", "Completed": "done",
          "Closed": "done", "Cancelled": "cancelled"}
CENT = Decimal("0.01")
SEARCH_LIMIT = 50


class ErpNextClient(InvoiceCalls):
    def __init__(self, url: str, database: str, username: str, secret: str, options: dict):
        options = options or {}
        self.url = url.rstrip("/")
        self.what = f"ERPNext at {url}"
        self.wire = FrappeWire(self.url, username, secret, self.what)
        self.company = options.get("company", "")
        self.warehouse = options.get("warehouse", "")
        self.delivery_days = int(options.get("delivery_days", 0))
        self.reference_field = options.get("customer_reference_field", "crossdock_reference")
        self.price_step = Decimal(1).scaleb(-int(options.get("price_digits", 2)))
        self.rounding = options.get("rounding", "half-even")
        if self.rounding not in ROUNDINGS:
            raise PermanentError(f"{self.what}: rounding option {self.rounding!r}: use "
                                 f"{' or '.join(ROUNDINGS)}")
        self.invoices = ErpNextInvoices(self, options)

    def test_connection(self) -> str:
        user = self.wire.request("GET", "/api/method/frappe.auth.get_logged_user")["message"]
        if self.reference_field:  # says so now rather than at the first order
            self.wire.list("Customer", [[self.reference_field, "=", ""]], ["name"], limit=1)
        company = f", company {self.company}" if self.company else ""
        return f"ERPNext at {self.url} as {user}{company}"

    def find_order(self, reference: str) -> RemoteOrder | None:
        rows = self.wire.list("Sales Order", [["po_no", "=", reference]], ORDER_FIELDS)
        live = [row for row in rows if int(row["docstatus"]) != 2]
        return _remote(live[0] if live else rows[0]) if rows else None

    def push_order(self, order: SaleOrder) -> RemoteOrder | None:
        existing = self.find_order(order.reference)
        if existing and existing.state == "draft":
            return _remote(self.wire.submit("Sales Order", existing.external_id))
        if existing or order.existing_only:
            return existing
        self._check_items([line.product_code for line in order.lines])
        self._check_tax_accounts(order)
        customer, match = self._customer(order.customer)
        delivery = (order.order_date + timedelta(days=self.delivery_days)).isoformat()
        body = {
            "customer": customer, "po_no": order.reference,
            "transaction_date": order.order_date.isoformat(), "delivery_date": delivery,
            "currency": order.currency, "docstatus": 1,
            "items": [self._item(line, order.currency_places) for line in order.lines],
        }
        taxes = _tax_rows(order)
        if taxes:
            body["taxes"] = taxes
        if self.company:
            body["company"] = self.company
        if self.warehouse:
            body["set_warehouse"] = self.warehouse
        if order.notes:
            body["remarks"] = order.notes
        created = _remote(self.wire.insert("Sales Order", body))
        return replace(created, customer_match=match.by or "created", notes=match.notes)

    def void_order(self, external_id: str) -> str:
        """Undo an order we created by mistake: cancelled, then deleted."""
        rows = self.wire.list("Sales Order", [["name", "=", external_id]], ORDER_FIELDS)
        if not rows:
            return f"Sales Order {external_id} is no longer in ERPNext"
        if int(rows[0]["docstatus"]) != 2:
            self.cancel_order(external_id)
        try:
            self.wire.delete("Sales Order", external_id)
        except PermanentError as exc:
            return f"Sales Order {external_id} cancelled in ERPNext (not deleted: {exc})"
        return f"Sales Order {external_id} deleted in ERPNext"

    def cancel_order(self, external_id: str) -> RemoteOrder:
        rows = self.wire.list("Sales Order", [["name", "=", external_id]], ORDER_FIELDS)
        if not rows:
            raise PermanentError(f"{self.what}: Sales Order {external_id} does not exist "
                                 "(deleted in ERPNext?)")
        if int(rows[0]["docstatus"]) == 2:
            return _remote(rows[0])
        try:
            if int(rows[0]["docstatus"]) == 0:  # a draft was never submitted: submit, then cancel
                self.wire.submit("Sales Order", external_id)
            self.wire.cancel("Sales Order", external_id)
        except PermanentError as exc:
            raise PermanentError(f"ERPNext would not cancel Sales Order {external_id}: {exc}") \
                from exc
        after = _remote(self.wire.list("Sales Order", [["name", "=", external_id]],
                                       ORDER_FIELDS)[0])
        if after.state != "cancelled":
            raise PermanentError(f"ERPNext did not cancel Sales Order {external_id}: it is still "
                                 f"{after.remote_state}; cancel it in ERPNext")
        return after

    def order_states(self, external_ids: list[str]) -> dict[str, RemoteOrder]:
        if not external_ids:
            return {}
        rows = self.wire.list("Sales Order", [["name", "in", list(external_ids)]], ORDER_FIELDS,
                              limit=0)
        return {row["name"]: _remote(row) for row in rows}

    # -- steps ------------------------------------------------------------------
    @staticmethod
    def tax_rows(document) -> list[dict]:
        """The "Actual" tax rows of an order or invoice (erpnext_invoices sends them too)."""
        return _tax_rows(document)

    def _item(self, line: OrderLine, places: int) -> dict:
        rate, adjusted = fit_unit_price(line, places=places, price_step=self.price_step,
                                        rounding=self.rounding)
        item = {"item_code": line.product_code, "qty": float(line.quantity),
                "price_list_rate": float(line.unit_price),
                "discount_percentage": float(line.discount_percent),
                "rate": float(rate), "description": line.description}
        included = any(t.price_include for t in line.taxes)
        if adjusted or included:  # ERPNext would derive another rate from list price and discount
            notes = [f"our price {line.unit_price}"
                     + (f", {line.discount_percent.normalize():f}% off"
                        if line.discount_percent else "")
                     + (" incl. tax" if included else "")]
            item.update(price_list_rate=float(rate), discount_percentage=0.0,
                        description=f"{line.description} ({'; '.join(notes)})")
        return item

    def _check_tax_accounts(self, order: SaleOrder) -> None:
        heads = sorted({t.code for line in order.lines for t in line.taxes})
        if not heads:
            return
        rows = self.wire.list("Account", [["name", "in", heads]], ["name", "is_group"], limit=0)
        usable = {row["name"] for row in rows if not int(row.get("is_group") or 0)}
        missing = [head for head in heads if head not in usable]
        if missing:
            raise PermanentError(
                f"{self.what}: no tax account (Account, not a group) named "
                f"{', '.join(missing)}; map our taxes to ERPNext's tax account heads in the "
                'backend option tax_codes, e.g. {"tax_codes": {"VAT 13%": "VAT 13% - CTC"}}, '
                "then retry")

    def _check_items(self, codes: list[str]) -> None:
        wanted = list(dict.fromkeys(codes))
        rows = self.wire.list("Item", [["item_code", "in", wanted]], ["item_code", "disabled"],
                              limit=0)
        enabled = {row["item_code"] for row in rows if not int(row.get("disabled") or 0)}
        disabled = {row["item_code"] for row in rows} - enabled
        unknown = [code for code in wanted if code not in enabled]
        if unknown:
            named = ", ".join(f"{c} (disabled)" if c in disabled else c for c in unknown)
            raise PermanentError(f"{self.what}: no Item with item_code {named}; create or "
                                 "enable it in ERPNext or correct the product code, then retry")

    def _customer(self, customer: Customer) -> tuple[str, Match]:
        """The Customer for `customer` (found by the shared rule, or created)."""
        found: dict[str, dict] = {}
        searches = [[[self.reference_field, "=", customer.reference]]] \
            if self.reference_field else []
        if customer.external_id:
            searches.insert(0, [["name", "=", customer.external_id]])
        identity = [[[field, "=", value]] for field, value in (
            ("tax_id", customer.tax_id), ("email_id", customer.email),
            ("mobile_no", customer.phone)) if value]
        fields = ["name", "customer_name", "tax_id", "email_id", "mobile_no",
                  *([self.reference_field] if self.reference_field else [])]
        for n, filters in enumerate([*searches, *identity]):
            if n == len(searches) and found:
                break  # bound or carrying our reference: identity is not asked
            for row in self.wire.list("Customer", filters, fields, limit=SEARCH_LIMIT):
                found.setdefault(row["name"], row)
        match = choose(customer, [self._remote_customer(row) for row in found.values()],
                       self.what)
        if match.remote is not None:
            return match.remote.external_id, match
        body = {"customer_name": customer.name, "customer_type": "Company"}
        for field, value in ((self.reference_field, customer.reference),
                             ("tax_id", customer.tax_id), ("email_id", customer.email),
                             ("mobile_no", customer.phone)):
            if field and value:
                body[field] = value
        return self.wire.insert("Customer", body)["name"], match

    def _remote_customer(self, row: dict) -> RemoteCustomer:
        return RemoteCustomer(
            external_id=row["name"], name=row.get("customer_name") or row["name"],
            reference=(row.get(self.reference_field) or "") if self.reference_field else "",
            tax_ids=(row["tax_id"],) if row.get("tax_id") else (),
            emails=(row["email_id"],) if row.get("email_id") else (),
            phones=(row["mobile_no"],) if row.get("mobile_no") else ())


def _tax_rows(order: SaleOrder) -> list[dict]:
    """One "Actual" row per tax account head, with our tax amount for it."""
    rows: dict[str, dict] = {}
    for line in order.lines:
        for tax in line.taxes:
            row = rows.setdefault(tax.code, {
                "charge_type": "Actual", "account_head": tax.code,
                "description": f"{tax.name or tax.code} ({tax.rate.normalize():f}%)",
                "tax_amount": Decimal(0)})
            if line.amount_tax is not None and len(line.taxes) == 1:
                row["tax_amount"] += line.amount_tax
    return [{**row, "tax_amount": float(row["tax_amount"])} for row in rows.values()]


def _remote(row: dict) -> RemoteOrder:
    status = row.get("status") or ("Cancelled" if int(row["docstatus"]) == 2 else "Draft")
    return RemoteOrder(
        external_id=row["name"], number=row["name"], state=STATES.get(status, "confirmed"),
        remote_state=status, customer_external_id=row.get("customer") or "",
        total_untaxed=Decimal(str(row.get("net_total") or 0)).quantize(CENT),
        total_tax=Decimal(str(row.get("total_taxes_and_charges") or 0)).quantize(CENT),
        total=Decimal(str(row.get("grand_total") or 0)).quantize(CENT))
