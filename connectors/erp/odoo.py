"""Odoo sale orders from neutral payloads, over JSON-2 (Odoo 19+, default) or
the older JSON-RPC `execute_kw` (`options["protocol"] = "jsonrpc"`).

Follows the ORM calls Odoo documents for external use ("External JSON-2
API" and "External RPC API", odoo/documentation
content/developer/reference/external_api.rst; wire details in `odoo_wire`,
rows to neutral records in `odoo_records`)
and the `sale` module's own flow (addons/sale/models/sale_order.py):

1. `sale.order` searched by `client_order_ref` = our reference, before
   anything is created; a draft found there (a crash between create and
   confirm) is confirmed, not duplicated.
2. `res.partner`: every partner that could be the customer (the bound id,
   `ref` = our customer reference, `vat`, `email` by `=ilike` with wildcards
   escaped, `phone`), chosen by the rule of `customer_match` (an ambiguous
   match stops before anything is created); else created with name, ref,
   vat, email, phone, address and `country_id` looked up by ISO code.
3. `product.product` by `default_code`, and sales taxes (`account.tax`,
   `type_tax_use` "sale") by name; every unknown code, and every tax that is
   missing, twice there, or not a percentage of our rate with our
   price-included flag, is named in one PermanentError before anything is
   created.
4. `sale.order` created with `order_line` as `Command.create` triples
   `[0, 0, {product_id, product_uom_qty, price_unit, discount, name,
   tax_ids: [Command.set(ids)]}]`, then `action_confirm`; read back `name`,
   `state`, `amount_untaxed`, `amount_tax`, `amount_total`. Odoo rounds each
   line half-up to the currency (tax rounding "per line", its default), as we
   do, so prices go as they are; a price-included tax gets our price with tax.

Invoices (`find_invoice`, `push_invoice`, `invoice_states`,
`invoices_for_orders`): `account.move`, in `odoo_invoices`.

`void_order` (an order created under a customer we then find bound to another
of our records) cancels it and deletes it (`unlink`, which Odoo allows for
cancelled orders).

`action_cancel` runs with `disable_cancel_warning` in the context: without
it Odoo answers a confirmed order with the sale.order.cancel wizard instead
of cancelling. A locked order (e.g. delivered) is refused by Odoo; its
message is passed on.

Options: `protocol` ("json2" | "jsonrpc"), `line_tax_field` (default
"tax_ids", Odoo 18.1+; "tax_id" on older Odoo), `track_delivery` (default true:
read `delivery_status`/`invoice_status`, which need the `sale_stock` and
`account` apps; set false on a sale-only database). The order currency
follows Odoo's pricelist; this client does not choose the pricelist.
For JSON-2 `secret` is the user's API key and `username` is unused; for
JSON-RPC `username`/`secret` are login and password (or API key).
"""
from __future__ import annotations

from dataclasses import replace

import requests

from ..errors import PermanentError
from .customer_match import Match, choose
from .invoice_calls import InvoiceCalls
from .odoo_invoices import OdooInvoices
from .odoo_records import like_literal, remote_order, remote_partner, tax_problems
from .odoo_wire import Json2Wire, JsonRpcWire
from .payloads import Customer, RemoteOrder, SaleOrder

ORDER_FIELDS = ["name", "state", "amount_untaxed", "amount_tax", "amount_total", "partner_id",
                "client_order_ref"]
TRACKING_FIELDS = ["delivery_status", "invoice_status"]
CANCEL_CONTEXT = {"disable_cancel_warning": True}
PARTNER_FIELDS = ["name", "ref", "vat", "email", "phone"]
SEARCH_LIMIT = 50


class OdooClient(InvoiceCalls):
    def __init__(self, url: str, database: str, username: str, secret: str, options: dict):
        options = options or {}
        protocol = options.get("protocol", "json2")
        self.what = f"Odoo at {url}"
        session = requests.Session()
        session.headers["User-Agent"] = "crossdock-hub"
        if protocol == "json2":
            self.wire = Json2Wire(session, url, database, secret, self.what)
        elif protocol == "jsonrpc":
            self.wire = JsonRpcWire(session, url, database, username, secret, self.what)
        else:
            raise PermanentError(f"{self.what}: unknown protocol option {protocol!r} "
                                 "(use 'json2' or 'jsonrpc')")
        self.protocol, self.database = protocol, database
        self.line_tax_field = options.get("line_tax_field", "tax_ids")
        self.order_fields = ORDER_FIELDS + (
            TRACKING_FIELDS if options.get("track_delivery", True) else [])
        self.invoices = OdooInvoices(self)

    def test_connection(self) -> str:
        version = self.wire.version()
        uid = self.wire.call("res.users", "context_get")["uid"]
        user = self.wire.call("res.users", "read", [uid], fields=["login", "company_id"])[0]
        company = user["company_id"][1] if user.get("company_id") else "no company"
        return (f"Odoo {version} ({self.protocol}) database {self.database or '(default)'} "
                f"as {user['login']}, company {company}")

    def find_order(self, reference: str) -> RemoteOrder | None:
        rows = self.wire.call("sale.order", "search_read",
                              domain=[["client_order_ref", "=", reference]],
                              fields=self.order_fields, order="id asc")
        live = [row for row in rows if row["state"] != "cancel"]
        return remote_order(live[0] if live else rows[0]) if rows else None

    def push_order(self, order: SaleOrder) -> RemoteOrder | None:
        existing = self.find_order(order.reference)
        if existing and existing.state == "draft":
            return self._confirm(int(existing.external_id))
        if existing or order.existing_only:
            return existing
        products = self._products([line.product_code for line in order.lines])
        taxes = self._taxes(order)
        partner_id, match = self._partner(order.customer)
        vals = {
            "partner_id": partner_id,
            "client_order_ref": order.reference,
            "date_order": f"{order.order_date.isoformat()} 00:00:00",
            "order_line": [[0, 0, {
                "product_id": products[line.product_code],
                "product_uom_qty": float(line.quantity),
                "price_unit": float(line.unit_price),
                "discount": float(line.discount_percent),
                "name": line.description,
                self.line_tax_field: [[6, 0, [taxes[t.code] for t in line.taxes]]],
            }] for line in order.lines],
        }
        if order.notes:
            vals["note"] = order.notes
        order_id = self.wire.call("sale.order", "create", vals_list=[vals])[0]
        return replace(self._confirm(order_id), customer_match=match.by or "created",
                       notes=match.notes)

    def void_order(self, external_id: str) -> str:
        """Undo an order we created by mistake: cancelled, then deleted."""
        order_id = self._record_id(external_id)
        current = self._read([order_id])
        if not current:
            return f"order id {external_id} is no longer in Odoo"
        if current[0].state != "cancelled":
            self.cancel_order(external_id)
        try:
            self.wire.call("sale.order", "unlink", [order_id])
        except PermanentError as exc:
            return f"{current[0].number} cancelled in Odoo (not deleted: {exc})"
        return f"{current[0].number} deleted in Odoo"

    def cancel_order(self, external_id: str) -> RemoteOrder:
        order_id = self._record_id(external_id)
        current = self._read([order_id])
        if not current:
            raise PermanentError(f"{self.what}: sale order id {external_id} does not exist "
                                 "(deleted in Odoo?)")
        if current[0].state == "cancelled":
            return current[0]
        try:
            self.wire.call("sale.order", "action_cancel", [order_id], context=CANCEL_CONTEXT)
        except PermanentError as exc:
            raise PermanentError(f"Odoo would not cancel order {current[0].number}: {exc}") from exc
        after = self._read([order_id])[0]
        if after.state != "cancelled":  # e.g. a customised action_cancel that opens a wizard
            raise PermanentError(f"Odoo did not cancel order {after.number}: it is still "
                                 f"{after.remote_state}; cancel it in Odoo")
        return after

    def order_states(self, external_ids: list[str]) -> dict[str, RemoteOrder]:
        ids = [self._record_id(i) for i in external_ids]
        return {order.external_id: order for order in self._read(ids)}

    # -- steps ------------------------------------------------------------------
    def _record_id(self, external_id: str) -> int:
        if not str(external_id).isdigit():
            raise PermanentError(f"{self.what}: {external_id!r} is not an Odoo record id "
                                 "(the binding points at something else)")
        return int(external_id)

    def _confirm(self, order_id: int) -> RemoteOrder:
        self.wire.call("sale.order", "action_confirm", [order_id])
        return self._read([order_id])[0]

    def _read(self, ids: list[int]) -> list[RemoteOrder]:
        if not ids:
            return []
        rows = self.wire.call("sale.order", "search_read", domain=[["id", "in", ids]],
                              fields=self.order_fields)
        return [remote_order(row) for row in rows]

    def _products(self, codes: list[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(codes))
        rows = self.wire.call("product.product", "search_read",
                              domain=[["default_code", "in", wanted]],
                              fields=["default_code"])
        found = {row["default_code"]: row["id"] for row in rows}
        unknown = [code for code in wanted if code not in found]
        if unknown:
            raise PermanentError(f"{self.what}: no active product with internal reference "
                                 f"(default_code) {', '.join(unknown)}; create it in Odoo or "
                                 "correct the product code, then retry")
        return found

    def _taxes(self, order: SaleOrder) -> dict[str, int]:
        """{tax name: account.tax id} for the order's taxes, each checked."""
        wanted = {t.code: t for line in order.lines for t in line.taxes}
        if not wanted:
            return {}
        rows = self.wire.call("account.tax", "search_read",
                              domain=[["name", "in", sorted(wanted)],
                                      ["type_tax_use", "=", "sale"]],
                              fields=["name", "amount", "amount_type", "price_include"])
        by_name: dict[str, list[dict]] = {}
        for row in rows:
            by_name.setdefault(row["name"], []).append(row)
        problems = tax_problems(wanted, by_name)
        if problems:
            raise PermanentError(
                f"{self.what}: taxes do not match: {'; '.join(problems)}. Create or correct "
                "them in Odoo, or map our taxes to Odoo's in the backend option tax_codes, "
                'e.g. {"tax_codes": {"VAT 13%": "<Odoo tax name>"}}, then retry')
        return {code: rows[0]["id"] for code, rows in by_name.items()}

    def _partner(self, customer: Customer) -> tuple[int, Match]:
        """The partner for `customer` (found by the shared rule, or created)."""
        found: dict[int, dict] = {}
        searches = [[["ref", "=", customer.reference]]]
        if customer.external_id.isdigit():
            searches.insert(0, [["id", "=", int(customer.external_id)]])
        identity = [[[field, op, value]] for field, op, value in (
            ("vat", "=", customer.tax_id), ("email", "=ilike", like_literal(customer.email)),
            ("phone", "=", customer.phone)) if value]
        for n, domain in enumerate([*searches, *identity]):
            if n == len(searches) and found:
                break  # bound or carrying our reference: identity is not asked
            for row in self.wire.call("res.partner", "search_read", domain=domain,
                                      fields=PARTNER_FIELDS, limit=SEARCH_LIMIT):
                found.setdefault(row["id"], row)
        match = choose(customer, [remote_partner(row) for row in found.values()], self.what)
        if match.remote is not None:
            return int(match.remote.external_id), match
        vals = {"name": customer.name, "ref": customer.reference}
        for field, value in (("vat", customer.tax_id), ("email", customer.email),
                             ("phone", customer.phone), ("street", customer.address.street),
                             ("city", customer.address.city),
                             ("zip", customer.address.postal_code)):
            if value:
                vals[field] = value
        if customer.address.country_code:
            country = self._first("res.country",
                                  [["code", "=", customer.address.country_code.upper()]])
            if country:
                vals["country_id"] = country
        return self.wire.call("res.partner", "create", vals_list=[vals])[0], match

    def _first(self, model: str, domain: list) -> int | None:
        ids = self.wire.call(model, "search", domain=domain, limit=1)
        return ids[0] if ids else None
