"""An Odoo stand-in: the part of Odoo's external APIs our Odoo client uses,
over real HTTP, in memory.

Published documents it follows:
- "External JSON-2 API" (Odoo 19, odoo/documentation
  content/developer/reference/external_api.rst): `POST /json/2/<model>/<method>`,
  `Authorization: bearer <API key>`, optional `X-Odoo-Database`, a JSON object
  of named arguments plus `ids` and `context`; 200 with the method's return
  value; errors as 4xx/5xx with {name, message, arguments, context, debug}
  (a bad key: 401 werkzeug.exceptions.Unauthorized "Invalid apikey"). Unknown
  model/method 404 and a bad argument 422 as in the `/json/2` controller
  (odoo/odoo PR #197801); exception status codes from odoo/exceptions.py
  (`http_status`: UserError/ValidationError 422, AccessError/AccessDenied 403,
  MissingError 404); anything else is 500 "internal server error".
- "External RPC API" (deprecated in 19): `POST /jsonrpc` with
  {"service": "common", "method": "version"|"login"|"authenticate"} and
  {"service": "object", "method": "execute_kw", "args": [db, uid, password,
  model, method, args, kwargs]}; errors come back as HTTP 200 with
  {"error": {"code": 200, "message": "Odoo Server Error", "data": {...}}}
  (odoo/http.py JsonRPCDispatcher.handle_error, serialize_exception).
- `sale` behaviour (addons/sale/models/sale_order.py): `name` from the S00001
  sequence, state draft -> sale by `action_confirm` (refused from other
  states), `action_cancel` refuses locked orders and, without
  `disable_cancel_warning` in the context, returns the sale.order.cancel
  wizard action instead of cancelling; `unlink` refuses an order that is not
  a quotation or cancelled ("You must first cancel it"); a missing mandatory field or a
  dangling many2one is a ValidationError ("The operation cannot be
  completed..."), an unknown field a ValueError (500); search on models with
  `active` skips archived records.

Only what the client uses is modelled: res.users (context_get, read),
res.country, res.partner, product.product, account.tax (sales taxes: percent,
price-included or not; VAT 13/9/6/0% and "VAT 13% incl." seeded), sale.order,
sale.order.line with `tax_ids` (Odoo 18.1+ name) and Odoo's per-line half-up
amounts (`price_subtotal`, `price_tax`; the order's `amount_untaxed`,
`amount_tax`, `amount_total`), and customer invoices and credit notes
(`account.move`, `sale.order.invoice_ids`: `odoo_accounting`, whose docstring
names the documents).
`search`/`search_read` take `offset`, `limit` and `order` "id asc" (the
records' own order), and the comparison operators >, >=, <, <= (dates are
ISO strings). Lookups by reference, code, e-mail and id are dictionary hits
and a page after an id (`["id", ">", n]`) starts there, so the double serves
the 10,000-order and 100,000-invoice benchmarks without becoming the
bottleneck.

Run alone: `python -m tests.doubles.odoo_double --port 8069 --products A,B=12.5`.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import inspect
import itertools
import operator
import threading
from decimal import ROUND_HALF_UP, Decimal

from .json_http import JsonHttpServer, Request, is_unparsable
from .odoo_accounting import ACCOUNTING_SCHEMA, AccountingMixin

VERSION_INFO = [19, 0, 0, "final", 0, ""]
CENT = Decimal("0.01")

# model -> {field: many2one comodel or None}; the fields a caller may read/write
SCHEMA: dict[str, dict[str, str | None]] = {
    "res.users": {"login": None, "name": None, "company_id": "res.company"},
    "res.company": {"name": None, "currency_id": "res.currency"},
    "res.currency": {"name": None},
    "res.country": {"code": None, "name": None},
    "res.partner": {"name": None, "ref": None, "vat": None, "email": None, "phone": None,
                    "street": None, "city": None, "zip": None,
                    "country_id": "res.country", "is_company": None, "active": None},
    "product.product": {"default_code": None, "name": None, "list_price": None,
                        "active": None},
    "account.tax": {"name": None, "amount": None, "amount_type": None, "price_include": None,
                    "type_tax_use": None, "active": None},
    "sale.order": {"name": None, "partner_id": "res.partner", "client_order_ref": None,
                   "date_order": None, "state": None, "order_line": None,
                   "amount_untaxed": None, "amount_tax": None, "amount_total": None,
                   "currency_id": "res.currency",
                   "company_id": "res.company", "delivery_status": None,
                   "invoice_status": None, "locked": None, "note": None,
                   "create_date": None, "invoice_ids": None},
    "sale.order.line": {"order_id": "sale.order", "product_id": "product.product",
                        "name": None, "product_uom_qty": None, "price_unit": None,
                        "discount": None, "tax_ids": None, "price_subtotal": None,
                        "price_tax": None, "price_total": None},
}
SCHEMA.update(ACCOUNTING_SCHEMA)
REQUIRED = {"res.partner": ("name",), "sale.order": ("partner_id",),
            "sale.order.line": ("product_id",)}
INDEXED = {"res.partner": ("ref", "vat", "email"), "product.product": ("default_code",),
           "res.country": ("code",), "sale.order": ("client_order_ref",),
           "account.move": ("ref",)}
# the sales taxes a fresh double has: (name, percent, price included)
DEFAULT_TAXES = (("VAT 13%", "13", False), ("VAT 9%", "9", False), ("VAT 6%", "6", False),
                 ("VAT 0%", "0", False), ("VAT 13% incl.", "13", True))
LABELS = {"sale.order": "Sales Order", "sale.order.line": "Sales Order Line",
          "res.partner": "Contact", "product.product": "Product"}
# positional parameter names of the ORM methods, to read execute_kw's `args`
POSITIONAL = {"read": ("ids", "fields"), "write": ("ids", "vals"), "create": ("vals_list",),
              "search": ("domain", "offset", "limit", "order"),
              "search_read": ("domain", "fields", "offset", "limit", "order"),
              "action_confirm": ("ids",), "action_cancel": ("ids",), "unlink": ("ids",),
              "context_get": ()}
ISO_COUNTRIES = ("AD AE AT AU BE BG BR CA CH CN CY CZ DE DK EE ES FI FR GB GR HK HR HU IE IN "
                 "IS IT JP KR LI LT LU LV MC MT MX NL NO NZ PL PT RO SE SG SI SK TR US ZA")


class OdooFault(Exception):
    """An exception Odoo would serialise: qualified name, message, HTTP status."""

    def __init__(self, name: str, message: str, status: int):
        super().__init__(message)
        self.name, self.message, self.status = name, message, status


def user_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.UserError", message, 422)


def validation_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.ValidationError", message, 422)


def value_error(message: str) -> OdooFault:
    return OdooFault("builtins.ValueError", message, 500)


class OdooDouble(AccountingMixin):
    """In-memory Odoo database `database` with one user (`login`, `password`,
    `api_key`), seeded products {default_code: list_price}."""

    def __init__(self, products: dict[str, Decimal | str | float] | None = None, *,
                 database: str = "odoo", login: str = "admin", password: str = "admin",
                 api_key: str = "odoo-test-key", company: str = "Crossdock Test Co",
                 currency: str = "EUR", taxes=DEFAULT_TAXES):
        self.database, self.login, self.password, self.api_key = database, login, password, api_key
        self.uid = 2
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._order_seq = itertools.count(1)
        self.records: dict[str, dict[int, dict]] = {model: {} for model in SCHEMA}
        self._index: dict[tuple[str, str], dict[str, set[int]]] = {
            (model, f): {} for model, fields in INDEXED.items() for f in fields}
        currency_id = self._insert("res.currency", {"name": currency})
        company_id = self._insert("res.company", {"name": company, "currency_id": currency_id})
        self.records["res.users"][self.uid] = {"id": self.uid, "login": login,
                                               "name": "Administrator", "company_id": company_id}
        self.company_id, self.currency_id = company_id, currency_id
        for code in ISO_COUNTRIES.split():
            self._insert("res.country", {"code": code, "name": code})
        for code, price in (products or {}).items():
            self.add_product(code, price)
        for name, amount, included in taxes:
            self.add_tax(name, amount, price_include=included)

    # -- seeding and inspection, for tests ---------------------------------
    def add_tax(self, name: str, amount, *, price_include: bool = False,
                amount_type: str = "percent") -> int:
        with self._lock:
            return self._insert("account.tax", {
                "name": name, "amount": Decimal(str(amount)), "amount_type": amount_type,
                "price_include": price_include, "type_tax_use": "sale", "active": True})
    def add_product(self, code: str, price=Decimal("10"), name: str = "", active=True) -> int:
        with self._lock:
            return self._insert("product.product", {
                "default_code": code, "name": name or f"Product {code}",
                "list_price": Decimal(str(price)), "active": active})

    def add_partner(self, **vals) -> int:
        with self._lock:
            vals.setdefault("active", True)
            return self._insert("res.partner", vals)

    def order_by_reference(self, reference: str) -> dict | None:
        """The stored sale.order with this client_order_ref, lines included."""
        with self._lock:
            ids = self._index[("sale.order", "client_order_ref")].get(reference, set())
            if not ids:
                return None
            order = dict(self.records["sale.order"][min(ids)])
            order["lines"] = [dict(self.records["sale.order.line"][i])
                              for i in order["order_line"]]
            return order

    def orders_with_reference(self, reference: str) -> int:
        with self._lock:
            return len(self._index[("sale.order", "client_order_ref")].get(reference, ()))

    def count(self, model: str) -> int:
        with self._lock:
            return len(self.records[model])

    def set_delivered(self, reference: str, *, invoiced: bool = False, lock: bool = True) -> None:
        """What a warehouse user validating the picking (and accountant invoicing) does."""
        with self._lock:
            order_id = min(self._index[("sale.order", "client_order_ref")][reference])
            order = self.records["sale.order"][order_id]
            order.update(delivery_status="full", locked=lock,
                         invoice_status="invoiced" if invoiced else "to invoice")

    # -- HTTP entry point ---------------------------------------------------
    def handle(self, request: Request):
        if request.path == "/web/version":
            return 200, {"version_info": VERSION_INFO, "version": "19.0"}, None
        if request.path == "/jsonrpc" and request.method == "POST":
            return self._handle_jsonrpc(request)
        if request.path.startswith("/json/2/"):
            return self._handle_json2(request)
        return 404, _serialize(OdooFault("werkzeug.exceptions.NotFound",
                                         "The requested URL was not found on the server.", 404)), None

    def _handle_json2(self, request: Request):
        try:
            if request.method != "POST":
                raise OdooFault("werkzeug.exceptions.MethodNotAllowed",
                                "The method is not allowed for the requested URL.", 405)
            auth = request.headers.get("authorization", "")
            scheme, _, key = auth.partition(" ")
            if scheme.lower() != "bearer" or key.strip() != self.api_key:
                raise OdooFault("werkzeug.exceptions.Unauthorized", "Invalid apikey", 401)
            db = request.headers.get("x-odoo-database")
            if db and db != self.database:
                raise OdooFault("werkzeug.exceptions.NotFound",
                                f"database {db!r} not found", 404)
            if is_unparsable(request.body) or not isinstance(request.body or {}, dict):
                raise OdooFault("werkzeug.exceptions.BadRequest",
                                "could not parse the body, expecting a json object", 400)
            parts = request.path[len("/json/2/"):].split("/")
            if len(parts) != 2:
                raise OdooFault("werkzeug.exceptions.NotFound", "not found", 404)
            params = dict(request.body or {})
            ids = params.pop("ids", [])
            context = params.pop("context", {})
            return 200, self.call(parts[0], parts[1], ids, context, params), None
        except OdooFault as fault:
            return fault.status, _serialize(fault), None

    def _handle_jsonrpc(self, request: Request):
        body = request.body if isinstance(request.body, dict) else {}
        rpc_id = body.get("id")
        params = body.get("params") or {}
        try:
            result = self._dispatch_rpc(params.get("service"), params.get("method"),
                                        list(params.get("args") or []))
            return 200, {"jsonrpc": "2.0", "id": rpc_id, "result": result}, None
        except OdooFault as fault:
            return 200, {"jsonrpc": "2.0", "id": rpc_id, "error": {
                "code": 200, "message": "Odoo Server Error", "data": _serialize(fault)}}, None

    def _dispatch_rpc(self, service, method, args):
        if service == "common" and method == "version":
            return {"server_version": "19.0", "server_version_info": VERSION_INFO,
                    "server_serie": "19.0", "protocol_version": 1}
        if service == "common" and method in ("login", "authenticate"):
            db, login, password = args[:3]
            self._check_database(db)
            return self.uid if (login, password) == (self.login, self.password) else False
        if service == "object" and method == "execute_kw":
            db, uid, password, model, name = args[:5]
            call_args = list(args[5]) if len(args) > 5 else []
            kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
            self._check_database(db)
            if uid != self.uid or password not in (self.password, self.api_key):
                raise OdooFault("odoo.exceptions.AccessDenied", "Access Denied", 403)
            context = kwargs.pop("context", {})
            names = POSITIONAL.get(name, ("ids",))
            if len(call_args) > len(names):
                raise OdooFault("builtins.TypeError", f"{name}() takes {len(names)} "
                                f"positional arguments but {len(call_args)} were given", 500)
            kwargs.update(zip(names, call_args))
            ids = kwargs.pop("ids", [])
            return self.call(model, name, ids, context, kwargs)
        raise OdooFault("builtins.NameError", f"unknown service or method {service}.{method}", 500)

    def _check_database(self, db):
        if db != self.database:
            raise OdooFault("psycopg2.OperationalError",
                            f'connection failed: FATAL:  database "{db}" does not exist', 500)

    # -- the ORM --------------------------------------------------------------
    def call(self, model: str, method: str, ids, context: dict, kwargs: dict):
        if model not in SCHEMA:
            raise OdooFault("werkzeug.exceptions.NotFound",
                            f"the model {model!r} does not exist", 404)
        func = getattr(self, f"_m_{method}", None)
        if func is None:
            raise OdooFault("werkzeug.exceptions.NotFound",
                            f"The method {method!r} does not exist on the model {model!r}", 404)
        try:
            inspect.signature(func).bind(model, ids, context, **kwargs)
        except TypeError as exc:
            raise OdooFault("werkzeug.exceptions.UnprocessableEntity", str(exc), 422) from exc
        with self._lock:
            return func(model, ids, context, **kwargs)

    def _m_context_get(self, model, ids, context):
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self.uid}

    def _m_search(self, model, ids, context, domain=(), offset=0, limit=None, order=None):
        if order not in (None, "id asc", "id"):
            raise value_error(f"Order {order!r} not modelled by this double (records come by id)")
        found = self._search(model, domain, stop=offset + limit if limit else None)
        return found[offset:offset + limit if limit else None]

    def _m_search_read(self, model, ids, context, domain=(), fields=None, offset=0,
                       limit=None, order=None):
        found = self._m_search(model, ids, context, domain, offset, limit, order)
        return self._read(model, found, fields)

    def _m_read(self, model, ids, context, fields=None):
        missing = [i for i in ids if i not in self.records[model]]
        if missing:
            raise OdooFault("odoo.exceptions.MissingError",
                            "Record does not exist or has been deleted.\n"
                            f"(Record: {model}({', '.join(map(str, missing))},), User: {self.uid})",
                            404)
        return self._read(model, list(ids), fields)

    def _m_create(self, model, ids, context, vals_list):
        single = isinstance(vals_list, dict)
        created = [self._create(model, vals) for vals in ([vals_list] if single else vals_list)]
        return created[0] if single else created

    def _m_write(self, model, ids, context, vals):
        for record_id in ids:
            self._check_fields(model, vals)
            self._set(model, self.records[model][record_id], vals)
        return True

    def _m_action_confirm(self, model, ids, context):
        orders = [self.records["sale.order"][i] for i in ids]
        wrong = {o["state"] for o in orders} - {"draft", "sent"}
        if wrong:
            raise user_error("It is not allowed to confirm an order in the following states: "
                             + ", ".join(sorted(_STATE_LABELS[s] for s in wrong)))
        for order in orders:
            order["state"] = "sale"
        return True

    def _m_action_cancel(self, model, ids, context):
        orders = [self.records["sale.order"][i] for i in ids]
        if any(o["locked"] for o in orders):
            raise user_error("You cannot cancel a locked order. Please unlock it first.")
        if not context.get("disable_cancel_warning") and any(o["state"] != "draft" for o in orders):
            return {"name": "Cancel Sales Order", "type": "ir.actions.act_window",
                    "view_mode": "form", "res_model": "sale.order.cancel", "target": "new",
                    "context": {"default_order_id": orders[0]["id"]}}
        for order in orders:
            order["state"] = "cancel"
        return True

    def _m_unlink(self, model, ids, context):
        if model == "sale.order" and any(
                self.records[model][i]["state"] not in ("draft", "cancel") for i in ids):
            raise user_error("You can not delete a sent quotation or a confirmed sales order. "
                             "You must first cancel it.")
        for record_id in ids:
            record = self.records[model].pop(record_id)
            for field in INDEXED.get(model, ()):
                self._unindex(model, field, record)
            for line_id in record.get("order_line") or []:
                self.records["sale.order.line"].pop(line_id, None)
        return True

    # -- storage --------------------------------------------------------------
    def _insert(self, model: str, vals: dict) -> int:
        record = {field: _default(model, field) for field in SCHEMA[model]}
        record["id"] = next(self._ids)
        self._set(model, record, vals)
        self.records[model][record["id"]] = record
        return record["id"]

    def _set(self, model: str, record: dict, vals: dict) -> None:
        for field in INDEXED.get(model, ()):
            if field in vals:
                self._unindex(model, field, record)
        record.update(vals)
        for field in INDEXED.get(model, ()):
            if field in vals and record[field]:
                for key in (record[field], _fold(record[field])):
                    self._index[(model, field)].setdefault(key, set()).add(record["id"])

    def _unindex(self, model, field, record):
        if record.get(field):
            for key in (record[field], _fold(record[field])):
                self._index[(model, field)].get(key, set()).discard(record["id"])

    def _check_fields(self, model: str, vals: dict) -> None:
        for field, value in vals.items():
            if field not in SCHEMA[model]:
                raise value_error(f"Invalid field {field!r} on model {model!r}")
            comodel = SCHEMA[model][field]
            if comodel and value and value not in self.records[comodel]:
                raise validation_error(
                    "The operation cannot be completed: another model requires the record "
                    "being deleted. If possible, archive it instead.\n\n"
                    f"Model: {LABELS.get(model, model)} ({model})\nConstraint: {model}_{field}_fkey")

    def _check_required(self, model: str, vals: dict) -> None:
        for field in REQUIRED.get(model, ()):
            if not vals.get(field):
                raise validation_error(
                    "The operation cannot be completed:\n"
                    "- Create/update: a mandatory field is not set.\n"
                    "- Delete: another model requires the record being deleted. "
                    "If possible, archive it instead.\n\n"
                    f"Model: {LABELS.get(model, model)} ({model})\nField: {field}")

    def _create(self, model: str, vals: dict) -> int:
        vals = dict(vals)
        lines = vals.pop("order_line", []) if model == "sale.order" else []
        self._check_fields(model, vals)
        self._check_required(model, vals)
        if model == "res.partner":
            vals.setdefault("active", True)
        if model == "account.move":
            return self._create_move(vals)
        if model != "sale.order":
            return self._insert(model, vals)
        line_vals = []
        for command in lines:
            if not (isinstance(command, list) and len(command) == 3 and command[0] == 0):
                raise value_error(f"Unsupported one2many command {command!r} in this double")
            self._check_fields("sale.order.line", command[2])
            self._check_required("sale.order.line", command[2])
            line_vals.append(command[2])
        vals.setdefault("name", f"S{next(self._order_seq):05d}")
        # Odoo's automatic create_date; kept with microseconds here (Odoo reads it
        # back to the second) so bench/hub_throughput.py can time commit -> create
        vals.update(state="draft", currency_id=self.currency_id, company_id=self.company_id,
                    create_date=_now())
        order_id = self._insert(model, vals)
        order = self.records[model][order_id]
        totals = {"amount_untaxed": Decimal(0), "amount_tax": Decimal(0)}
        for line in line_vals:
            qty, price, discount = (Decimal(str(line.get(k) or 0))
                                    for k in ("product_uom_qty", "price_unit", "discount"))
            taxes = self._line_taxes(line.get("tax_ids"))
            subtotal, tax = _line_amounts(qty * price * (1 - discount / 100), taxes)
            product = self.records["product.product"][line["product_id"]]
            line_id = self._insert("sale.order.line", {
                **line, "order_id": order_id, "name": line.get("name") or product["name"],
                "tax_ids": [t["id"] for t in taxes], "price_subtotal": subtotal,
                "price_tax": tax, "price_total": subtotal + tax})
            order["order_line"].append(line_id)
            totals["amount_untaxed"] += subtotal
            totals["amount_tax"] += tax
        order.update(totals, amount_total=totals["amount_untaxed"] + totals["amount_tax"])
        return order_id

    def _line_taxes(self, commands) -> list[dict]:
        """The taxes of a line's `tax_ids` commands ([6, 0, ids] or [4, id])."""
        ids: list[int] = []
        for command in commands or []:
            if command[0] == 6:
                ids = list(command[2])
            elif command[0] == 4:
                ids.append(command[1])
            else:
                raise value_error(f"Unsupported many2many command {command!r} in this double")
        missing = [i for i in ids if i not in self.records["account.tax"]]
        if missing:
            raise validation_error(f"The operation cannot be completed: record {missing} "
                                   "of model account.tax does not exist")
        return [self.records["account.tax"][i] for i in ids]

    def _search(self, model: str, domain, stop: int | None = None) -> list[int]:
        """Ids matching `domain`, ascending; the first `stop` of them only."""
        leaves = [leaf for leaf in domain if leaf != "&"]
        if any(not isinstance(leaf, list) or len(leaf) != 3 for leaf in leaves):
            raise value_error(f"Invalid domain for this double: {domain!r}")
        candidates = None
        for field, op, value in leaves:  # one indexed leaf narrows to a dictionary hit
            if field == "id" and op in ("=", "in"):
                wanted = value if op == "in" else [value]
                candidates = sorted({i for i in wanted if i in self.records[model]})
                break
            if field == "id" and op == ">":  # a page after the last id: ids only grow
                keys = list(self.records[model])
                candidates = keys[bisect.bisect_right(keys, value):]
                break
            if (model, field) in self._index and op in ("=", "in", "=ilike"):
                index = self._index[(model, field)]
                keys = value if op == "in" else [_unescape_like(value) if op == "=ilike" else value]
                keys = [_fold(k) if op == "=ilike" else k for k in keys]
                candidates = sorted(set().union(*(index.get(k, set()) for k in keys)))
                break
        rows = (self.records[model][i] for i in candidates) if candidates is not None \
            else iter(self.records[model].values())
        has_active = "active" in SCHEMA[model] and not any(leaf[0] == "active" for leaf in leaves)
        found = (row["id"] for row in rows
                 if (not has_active or row["active"]) and all(_match(row, leaf) for leaf in leaves))
        return list(itertools.islice(found, stop))

    def _read(self, model: str, ids: list[int], fields) -> list[dict]:
        fields = fields or list(SCHEMA[model])
        out = []
        for record_id in ids:
            record = self.records[model][record_id]
            row = {"id": record_id}
            for field in fields:
                if field == "id":
                    continue
                if field not in SCHEMA[model]:
                    raise value_error(f"Invalid field {field!r} on model {model!r}")
                value = record[field]
                comodel = SCHEMA[model][field]
                if comodel:  # many2one reads as [id, display_name], or False
                    value = [value, self._display_name(comodel, value)] if value else False
                elif value is None:
                    value = False
                row[field] = value
            out.append(row)
        return out

    def _display_name(self, model: str, record_id: int) -> str:
        record = self.records[model][record_id]
        return record.get("name") or record.get("code") or str(record_id)


COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_STATE_LABELS = {"draft": "Quotation", "sent": "Quotation Sent", "sale": "Sales Order",
                 "cancel": "Cancelled"}


def _default(model: str, field: str):
    if field in ("order_line", "invoice_ids", "invoice_line_ids"):
        return []
    if model == "sale.order":
        return {"delivery_status": "pending", "invoice_status": "no", "locked": False,
                "amount_untaxed": Decimal(0), "amount_tax": Decimal(0),
                "amount_total": Decimal(0)}.get(field)
    return None


def _now() -> str:
    """UTC now in Odoo's datetime format, plus microseconds."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _line_amounts(base: Decimal, taxes: list[dict]) -> tuple[Decimal, Decimal]:
    """(untaxed, tax) of a line as Odoo computes it with the default tax
    rounding "round per line" (float_round half-up): price-included taxes
    come out of the rounded total, the others are added to the rounded base."""
    included = sum((Decimal(t["amount"]) for t in taxes if t["price_include"]), Decimal(0))
    excluded = sum((Decimal(t["amount"]) for t in taxes if not t["price_include"]), Decimal(0))
    gross = base.quantize(CENT, ROUND_HALF_UP)
    included_tax = (gross * included / (100 + included)).quantize(CENT, ROUND_HALF_UP)
    untaxed = gross - included_tax
    return untaxed, included_tax + (untaxed * excluded / 100).quantize(CENT, ROUND_HALF_UP)


def _fold(value) -> str:
    return str(value).casefold()


def _unescape_like(value: str) -> str:
    return str(value).replace("\\_", "_").replace("\\%", "%").replace("\\\\", "\\")


def _match(row: dict, leaf) -> bool:
    field, op, value = leaf
    current = row.get(field)
    if op == "=":
        return current == value or (value is False and not current)
    if op == "!=":
        return current != value
    if op == "in":
        return current in value
    if op == "=ilike":
        return current is not None and _fold(current) == _fold(_unescape_like(value))
    if op in COMPARISONS:  # dates are ISO strings, so text order is date order
        return current not in (None, False) and COMPARISONS[op](current, value)
    raise value_error(f"Operator {op!r} not modelled by this double")


def _serialize(fault: OdooFault) -> dict:
    """odoo.http.serialize_exception's shape."""
    return {"name": fault.name, "message": fault.message,
            "arguments": [fault.message], "context": {},
            "debug": f"Traceback (most recent call last):\n{fault.name}: {fault.message}\n"}


def _parse_products(text: str) -> dict[str, str]:
    products = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        code, _, price = item.partition("=")
        products[code] = price or "10"
    return products


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Serve an in-memory Odoo double.")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--products", default="", help="CODE[=PRICE],CODE[=PRICE],...")
    parser.add_argument("--database", default="odoo")
    parser.add_argument("--api-key", default="odoo-test-key")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args(argv)
    double = OdooDouble(_parse_products(args.products), database=args.database,
                        login=args.login, password=args.password, api_key=args.api_key)
    server = JsonHttpServer(double, port=args.port)
    print(f"Odoo double on {server.url} database {args.database}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
