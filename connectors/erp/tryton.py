"""Tryton (trytond 8.2 + sale) over its JSON-RPC.

Wire format, as trytond's own source has it (trytond/protocols/dispatcher.py,
jsonrpc.py, wrappers.py):

- `POST <url>/<database>/rpc/` with `{"id": n, "method": m, "params": [...]}`;
  the server-wide `common.server.version` is at `POST <url>/rpc/`.
- `common.db.login` with `[user, {"password": ...}, language]` answers
  `[user_id, token, bus_url]`; later calls send
  `Authorization: Session base64("user:user_id:token")`. A wrong password is
  HTTP 401 on login, an expired session HTTP 401 on any call (we log in again
  once), an unknown database HTTP 404, a method not exposed over RPC 403.
- Model methods are `model.<model>.<method>` with the method's arguments and
  the context last (`search_read(domain, offset, limit, order, fields, ctx)`,
  `create([values], ctx)`, buttons such as `quote([ids], ctx)`).
- Decimal, date and datetime travel as `{"__class__": "Decimal", "decimal": "1.50"}`,
  `{"__class__": "date", "year": .., "month": .., "day": ..}`.
- Failures come back as HTTP 200 with `"error"`: a TrytonException's args
  (`["UserError", [message, description, domain]]`, also for AccessError and
  validation errors; `["ConcurrencyException", message]`), or for an unexpected
  server exception `[str(exc), traceback]`.

Mapping (what Crossdock's payloads become in Tryton):

- our order reference -> `sale.sale.reference`, searched before any create.
  A live sale (any state but cancelled) with it is reused and finished
  (quoted, confirmed) if still draft/quotation. If the only sales with it are
  cancelled, that is a PermanentError: someone cancelled it in Tryton on
  purpose, so we do not silently create a new one.
- customer -> `party.party`: `external_id` from an earlier binding, then
  party `code` == our customer reference (Tryton's own unique party code; we
  set it when we create the party), then a `party.identifier` whose code is
  the tax id, then an e-mail `party.contact_mechanism`; otherwise created with
  code, tax identifier, e-mail, phone and an address (country by ISO code
  when Tryton has it). A found party without any address gets one, because a
  sale cannot be confirmed without an invoice address.
- products by `product.product.code`; every unknown or non-salable code is
  named in one PermanentError before anything is written.
- lines: quantity, the product's sale unit, description. trytond_sale 8.2
  lines have no discount field (that is the separate sale_discount module),
  so `unit_price` is the discounted price (4 decimals, Tryton's price digits)
  and the description says the list price and the discount.
- Tryton computes defaults server-side on create but runs no on_change, so
  the sale gets invoice/shipment address and payment term explicitly, each
  line its unit and unit price.
- states: draft and quotation -> draft, confirmed, processing, done, cancelled.

Options (the backend's options dict):
  company       id of the Tryton company (default: the user's current company)
  warehouse     code or name of the warehouse location (default: Tryton's default)
  payment_term  name of the payment term (default: the party's, else Tryton's default)
  language      language code for Tryton's messages (default "en")
  timeout       read timeout in seconds (default 30)
"""
from __future__ import annotations

import base64
import datetime
import itertools
import json
from decimal import Decimal

import requests

from ..errors import PermanentError, TransientError
from ..http import send
from .payloads import Customer, OrderLine, RemoteOrder, SaleOrder

STATES = {"draft": "draft", "quotation": "draft", "confirmed": "confirmed",
          "processing": "processing", "done": "done", "cancelled": "cancelled"}
PRICE_DIGITS = Decimal("0.0001")
SALE_FIELDS = ["number", "state", "party", "untaxed_amount", "reference"]


def _encode(value):
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month,
                "day": value.day, "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month,
                "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(obj: dict):
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return datetime.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return datetime.datetime(obj["year"], obj["month"], obj["day"], obj["hour"],
                                 obj["minute"], obj["second"], obj["microsecond"])
    return obj


class TrytonClient:
    """ErpClient for one Tryton database (see the module docstring)."""

    def __init__(self, url: str, database: str, username: str, secret: str,
                 options: dict | None = None):
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self.secret = secret
        self.options = dict(options or {})
        self.what = f"Tryton at {self.url} (database {database})"
        self.timeout = (5.0, float(self.options.get("timeout", 30)))
        self.http = requests.Session()
        self._ids = itertools.count(1)
        self._auth: str | None = None
        self._context: dict = {}
        self._ids_by_code: dict[tuple[str, str], int | None] = {}  # currencies, countries

    # -- transport ---------------------------------------------------------

    def _post(self, path: str, method: str, params: list, auth: str | None):
        body = json.dumps({"id": next(self._ids), "method": method, "params": params},
                          default=_encode)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = auth
        return send(self.http, "POST", f"{self.url}/{path}", what=self.what,
                    timeout=self.timeout, data=body.encode(), headers=headers)

    def _answer(self, response: requests.Response, method: str):
        if response.status_code == 404:
            raise PermanentError(f"{self.what}: no such database (HTTP 404); "
                                 f"check the backend's database name")
        if response.status_code == 403:
            raise PermanentError(f"{self.what}: {method} is not allowed over RPC "
                                 f"for user {self.username} (HTTP 403)")
        if response.status_code >= 400:
            raise PermanentError(f"{self.what}: {method} refused with HTTP "
                                 f"{response.status_code} {response.reason or ''}".rstrip())
        try:
            data = json.loads(response.content, object_hook=_decode)
        except ValueError as exc:
            raise TransientError(f"{self.what}: {method} answered something that is "
                                 f"not JSON-RPC ({response.text[:120]!r})") from exc
        if "error" in data and data["error"] is not None:
            raise self._error(method, data["error"])
        return data.get("result")

    def _error(self, method: str, error) -> Exception:
        kind, args = (error + [None, None])[:2] if isinstance(error, list) else (error, None)
        if kind == "UserError" and isinstance(args, list):
            message, description = args[0], args[1] if len(args) > 1 else ""
            text = f"{message} {description}".strip()
            return PermanentError(f"{self.what}: Tryton refused {method}: {text}")
        if kind == "UserWarning" and isinstance(args, list):
            return PermanentError(f"{self.what}: Tryton asks to confirm a warning on "
                                  f"{method}: {args[1] if len(args) > 1 else args}")
        if kind == "ConcurrencyException":
            return TransientError(f"{self.what}: {method} clashed with another "
                                  f"change in Tryton ({args})")
        if kind == "LoginException":
            return PermanentError(f"{self.what}: Tryton asks for more login "
                                  f"parameters ({args}); not supported")
        text = str(kind)
        if "locked" in text.lower():  # SQLite/PostgreSQL lock: worth retrying
            return TransientError(f"{self.what}: {method}: {text}")
        return PermanentError(f"{self.what}: server error in {method}: {text[:300]}")

    def _login(self) -> None:
        params = [self.username, {"password": self.secret},
                  self.options.get("language", "en")]
        response = self._post(f"{self.database}/rpc/", "common.db.login", params, None)
        if response.status_code == 401:
            raise PermanentError(f"wrong user or password for Tryton database "
                                 f"{self.database} at {self.url} (user {self.username})")
        user_id, token = self._answer(response, "common.db.login")[:2]
        session = f"{self.username}:{user_id}:{token}".encode()
        self._auth = "Session " + base64.b64encode(session).decode()
        preferences = self._call_once("model.res.user.get_preferences", [True, {}])
        self._context = {"company": self.options.get("company") or preferences.get("company"),
                         "language": preferences.get("language")}

    def _call_once(self, method: str, params: list):
        response = self._post(f"{self.database}/rpc/", method, params, self._auth)
        if response.status_code == 401:
            raise _SessionExpired()
        return self._answer(response, method)

    def call(self, method: str, *args):
        """Call a model method with our context appended; log in on first use
        and once more when Tryton says the session expired."""
        if self._auth is None:
            self._login()
        try:
            return self._call_once(method, [*args, self._context])
        except _SessionExpired:
            self._login()
            try:
                return self._call_once(method, [*args, self._context])
            except _SessionExpired:
                raise PermanentError(f"{self.what}: user {self.username} is logged in "
                                     f"but refused for {method}") from None

    def search_read(self, model: str, domain: list, fields: list[str],
                    order: list | None = None, limit: int | None = None) -> list[dict]:
        return self.call(f"model.{model}.search_read", domain, 0, limit, order, fields)

    # -- ErpClient ---------------------------------------------------------

    def test_connection(self) -> str:
        self._login()
        version = self._answer(self._post("rpc/", "common.server.version", [], None),
                               "common.server.version")
        company = "none"
        if self._context.get("company"):
            rows = self.call("model.company.company.read", [self._context["company"]],
                             ["rec_name"])
            company = rows[0]["rec_name"] if rows else f"id {self._context['company']} missing"
        return (f"Tryton {version} database {self.database} as {self.username}, "
                f"company {company}")

    def find_order(self, reference: str) -> RemoteOrder | None:
        live = [s for s in self._sales_with_reference(reference) if s["state"] != "cancelled"]
        return self._remote(live[0]) if live else None

    def push_order(self, order: SaleOrder) -> RemoteOrder:
        sales = self._sales_with_reference(order.reference)
        live = [s for s in sales if s["state"] != "cancelled"]
        if not live and sales:
            raise PermanentError(
                f"{self.what}: sale {sales[0]['number'] or sales[0]['id']} with reference "
                f"{order.reference} was cancelled in Tryton; not creating another one "
                f"(reset it to draft in Tryton to sync it again)")
        if live:
            sale_id, state = live[0]["id"], live[0]["state"]
        else:
            sale_id, state = self._create_sale(order), "draft"
        self._finish(sale_id, state)
        return self._read_order(sale_id)

    def cancel_order(self, external_id: str) -> RemoteOrder:
        sale = self._read_sale(external_id)
        state = sale["state"]
        if state in ("processing", "done"):
            raise PermanentError(
                f"{self.what}: sale {sale['number']} is already being delivered/invoiced "
                f"in Tryton (state {state}); cancel its shipment and invoice there first")
        if state == "confirmed":  # Tryton allows confirmed -> draft before processing
            self.call("model.sale.sale.draft", [sale["id"]])
        if state != "cancelled":
            self.call("model.sale.sale.cancel", [sale["id"]])
        return self._read_order(sale["id"])

    def order_states(self, external_ids: list[str]) -> dict[str, RemoteOrder]:
        ids = [int(i) for i in external_ids]
        if not ids:
            return {}
        rows = self.search_read("sale.sale", [("id", "in", ids)], SALE_FIELDS)
        return {str(row["id"]): self._remote(row) for row in rows}

    # -- steps of push_order -----------------------------------------------

    def _sales_with_reference(self, reference: str) -> list[dict]:
        return self.search_read("sale.sale", [("reference", "=", reference)],
                                ["id", *SALE_FIELDS], order=[("id", "ASC")])

    def _create_sale(self, order: SaleOrder) -> int:
        # everything that can be refused is checked before the first write
        currency = self._currency(order.currency)
        products = self._products(order.lines)
        warehouse = self._warehouse()
        payment_term = self._payment_term()
        party, address = self._customer(order.customer)
        values = {
            "party": party["id"], "invoice_address": address, "shipment_address": address,
            "currency": currency, "reference": order.reference, "sale_date": order.order_date,
            "company": self._context["company"], "comment": order.notes or None,
            "lines": [["create", [self._line(line, products[line.product_code])
                                  for line in order.lines]]],
        }
        if warehouse:
            values["warehouse"] = warehouse
        term = payment_term or party.get("customer_payment_term")
        if term:
            values["payment_term"] = term
        sale_id, = self.call("model.sale.sale.create", [values])
        return sale_id

    def _finish(self, sale_id: int, state: str) -> None:
        """Quote then confirm, from wherever an earlier attempt stopped."""
        if state == "draft":
            self.call("model.sale.sale.quote", [sale_id])
            state = "quotation"
        if state == "quotation":
            self.call("model.sale.sale.confirm", [sale_id])

    @staticmethod
    def _line(line: OrderLine, product: dict) -> dict:
        price = line.unit_price
        description = line.description
        if line.discount_percent:
            price = price * (1 - line.discount_percent / 100)
            description = (f"{description} (list price {line.unit_price}, "
                           f"{line.discount_percent.normalize():f}% off)")
        return {"type": "line", "product": product["id"], "quantity": float(line.quantity),
                "unit": product["sale_uom"] or product["default_uom"],
                "unit_price": price.quantize(PRICE_DIGITS), "description": description}

    def _id_by_code(self, model: str, code: str) -> int | None:
        """Currencies and countries hardly change: one look-up per client."""
        if (model, code) not in self._ids_by_code:
            rows = self.search_read(model, [("code", "=", code)], ["id"])
            if not rows:
                return None  # not cached: it may be added in Tryton before a retry
            self._ids_by_code[model, code] = rows[0]["id"]
        return self._ids_by_code[model, code]

    def _currency(self, code: str) -> int:
        currency = self._id_by_code("currency.currency", code)
        if currency is None:
            raise PermanentError(f"{self.what}: currency {code} does not exist in Tryton")
        return currency

    def _products(self, lines: tuple[OrderLine, ...]) -> dict[str, dict]:
        codes = sorted({line.product_code for line in lines})
        rows = self.search_read("product.product", [("code", "in", codes)],
                                ["code", "salable", "sale_uom", "default_uom"])
        found = {row["code"]: row for row in rows}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise PermanentError(f"{self.what}: unknown product code(s) in Tryton: "
                                 f"{', '.join(unknown)}")
        unsalable = [code for code in codes if not found[code]["salable"]]
        if unsalable:
            raise PermanentError(f"{self.what}: product(s) not salable in Tryton: "
                                 f"{', '.join(unsalable)}")
        return found

    def _warehouse(self) -> int | None:
        wanted = self.options.get("warehouse")
        if not wanted:
            return None
        rows = self.search_read("stock.location", [
            ("type", "=", "warehouse"), ["OR", ("code", "=", wanted), ("name", "=", wanted)]],
            ["id"])
        if not rows:
            raise PermanentError(f"{self.what}: warehouse {wanted!r} (backend option) "
                                 f"does not exist in Tryton")
        return rows[0]["id"]

    def _payment_term(self) -> int | None:
        wanted = self.options.get("payment_term")
        if not wanted:
            return None
        rows = self.search_read("account.invoice.payment_term", [("name", "=", wanted)], ["id"])
        if not rows:
            raise PermanentError(f"{self.what}: payment term {wanted!r} (backend option) "
                                 f"does not exist in Tryton")
        return rows[0]["id"]

    # -- customer ----------------------------------------------------------

    def _customer(self, customer: Customer) -> tuple[dict, int]:
        """The party (found or created) and the address to put on the sale."""
        party = self._find_party(customer)
        if party is None:
            party = self._create_party(customer)
        if party["addresses"]:
            return party, party["addresses"][0]
        address, = self.call("model.party.address.create",
                             [self._address(customer, party["id"])])
        return party, address

    def _find_party(self, customer: Customer) -> dict | None:
        """One search for every criterion (a round trip costs more than the
        rows), then the first match in order: binding, reference, tax id, e-mail."""
        criteria = [("code", "=", customer.reference)]
        if customer.external_id:
            criteria.append(("id", "=", int(customer.external_id)))
        if customer.tax_id:
            criteria.append(("identifiers.code", "=", customer.tax_id))
        if customer.email:
            criteria.append(("contact_mechanisms", "where", [
                ("type", "=", "email"), ("value", "=", customer.email)]))
        rows = self.search_read(
            "party.party", ["OR", *criteria],
            ["code", "identifiers.code", "contact_mechanisms.type",
             "contact_mechanisms.value", "addresses", "customer_payment_term"],
            order=[("id", "ASC")])
        tests = [
            lambda r: customer.external_id and str(r["id"]) == customer.external_id,
            lambda r: r["code"] == customer.reference,
            lambda r: customer.tax_id and any(
                i["code"] == customer.tax_id for i in r["identifiers."]),
            lambda r: customer.email and any(
                m["type"] == "email" and m["value"] == customer.email
                for m in r["contact_mechanisms."]),
        ]
        for test in tests:
            for row in rows:
                if test(row):
                    return row
        return None

    def _create_party(self, customer: Customer) -> dict:
        values = {"name": customer.name, "code": customer.reference,
                  "addresses": [["create", [self._address(customer)]]]}
        if customer.tax_id:
            values["identifiers"] = [["create", [{"code": customer.tax_id}]]]
        mechanisms = [{"type": kind, "value": value} for kind, value in
                      (("email", customer.email), ("phone", customer.phone)) if value]
        if mechanisms:
            values["contact_mechanisms"] = [["create", mechanisms]]
        party_id, = self.call("model.party.party.create", [values])
        return self.call("model.party.party.read", [party_id],
                         ["addresses", "customer_payment_term"])[0]

    def _address(self, customer: Customer, party_id: int | None = None) -> dict:
        address = customer.address
        values = {"street_unstructured": address.street or None,
                  "city": address.city or None, "postal_code": address.postal_code or None}
        if address.country_code:
            # an unknown country is left out rather than failing the order
            country = self._id_by_code("country.country", address.country_code.upper())
            if country:
                values["country"] = country
        if party_id is not None:
            values["party"] = party_id
        return values

    # -- reading back ------------------------------------------------------

    def _read_sale(self, external_id) -> dict:
        rows = self.search_read("sale.sale", [("id", "=", int(external_id))],
                                ["id", *SALE_FIELDS])
        if not rows:
            raise PermanentError(f"{self.what}: no sale with id {external_id}")
        return rows[0]

    def _read_order(self, sale_id: int) -> RemoteOrder:
        return self._remote(self._read_sale(sale_id))

    @staticmethod
    def _remote(row: dict) -> RemoteOrder:
        return RemoteOrder(external_id=str(row["id"]), number=row["number"] or "",
                           state=STATES.get(row["state"], row["state"]),
                           remote_state=row["state"],
                           customer_external_id=str(row["party"] or ""),
                           total_untaxed=row["untaxed_amount"])


class _SessionExpired(Exception):
    """Tryton answered 401 to a call made with a session."""
