"""Tryton (trytond 8.2 + sale): our orders as Tryton sales.

The wire (JSON-RPC, errors, login) is `tryton_wire`; parties are
`tryton_party`. Mapping (what Crossdock's payloads become in Tryton):

- our order reference -> `sale.sale.reference`, searched before any create.
  A live sale (any state but cancelled) with it is reused and finished
  (quoted, confirmed) if still draft/quotation. If the only sales with it are
  cancelled, that is a PermanentError: someone cancelled it in Tryton on
  purpose, so we do not silently create a new one.
- customer -> `party.party` (`tryton_party`): the rule of `customer_match`
  (binding, party `code` == our reference, tax identifier, then e-mail or
  phone where no tax id disagrees, never a party of another of our records);
  an ambiguous match stops before anything is written.
- `void_order` (a sale created under a customer we then find bound to
  another of our records): back to draft and deleted, as Tryton allows for
  draft and cancelled sales; a processing sale cannot be, and says so.
- lines (`tryton_lines`): products by code, taxes by name (or the backend's
  `tax_codes`), quantity, the product's sale unit, a unit price Tryton keeps
  to the cent; everything Tryton lacks is named before anything is written.
- Tryton computes defaults server-side on create but runs no on_change, so
  the sale gets invoice/shipment address and payment term explicitly, each
  line its unit, unit price and taxes.
- what comes back: number, state, party and the untaxed, tax and total
  amounts Tryton computed, for the caller to compare with ours.
- states: draft and quotation -> draft, confirmed, processing, done, cancelled.
- invoices (`find_invoice`, `push_invoice`, `invoice_states`,
  `invoices_for_orders`): `tryton_invoices`.

Options (the backend's options dict):
  company       id of the Tryton company (default: the user's current company)
  warehouse     code or name of the warehouse location (default: Tryton's default)
  payment_term  name of the payment term (default: the party's, else Tryton's default)
  language      language code for Tryton's messages (default "en")
  timeout       read timeout in seconds (default 30)
(the sales addon's mapping options product_codes / tax_codes are applied
before the payload reaches the client)
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import PermanentError
from .invoice_calls import InvoiceCalls
from .payloads import RemoteOrder, SaleOrder
from .tryton_invoices import TrytonInvoices
from .tryton_lines import TrytonLines
from .tryton_party import TrytonParties
from .tryton_wire import TrytonWire

STATES = {"draft": "draft", "quotation": "draft", "confirmed": "confirmed",
          "processing": "processing", "done": "done", "cancelled": "cancelled"}
SALE_FIELDS = ["number", "state", "party", "untaxed_amount", "tax_amount", "total_amount",
               "reference"]


SALE_STEPS = ("draft", "quotation", "confirmed", "processing", "done")  # Tryton's sale workflow


def _past(state: str, step: str) -> bool:
    """Whether a sale in `state` has reached `step` (a cancelled one has not)."""
    return state in SALE_STEPS and SALE_STEPS.index(state) >= SALE_STEPS.index(step)


class TrytonClient(InvoiceCalls):
    """ErpClient for one Tryton database (see the module docstring)."""

    def __init__(self, url: str, database: str, username: str, secret: str,
                 options: dict | None = None):
        self.wire = TrytonWire(url, database, username, secret, options)
        self.options, self.what = self.wire.options, self.wire.what
        self.parties = TrytonParties(self.wire, self._id_by_code)
        self.lines = TrytonLines(self.wire)
        self.invoices = TrytonInvoices(self)
        self._ids_by_code: dict[tuple[str, str], int | None] = {}  # currencies, countries, taxes

    def call(self, method: str, *args):
        return self.wire.call(method, *args)

    def search_read(self, model: str, domain: list, fields: list[str],
                    order: list | None = None, limit: int | None = None) -> list[dict]:
        return self.wire.search_read(model, domain, fields, order, limit)

    # -- ErpClient ---------------------------------------------------------

    def test_connection(self) -> str:
        self.wire.login()
        version = self.wire.server_version()
        company = "none"
        context = self.wire.context
        if context.get("company"):
            rows = self.call("model.company.company.read", [context["company"]], ["rec_name"])
            company = rows[0]["rec_name"] if rows else f"id {context['company']} missing"
        return (f"Tryton {version} database {self.wire.database} as {self.wire.username}, "
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
        match, notes = "", ()
        if live:
            sale_id, state = live[0]["id"], live[0]["state"]
        elif order.existing_only:
            return None
        else:
            (sale_id, match, notes), state = self._create_sale(order), "draft"
        self._finish(sale_id, state)
        return replace(self._read_order(sale_id), customer_match=match, notes=notes)

    def void_order(self, external_id: str) -> str:
        """Undo a sale we created by mistake: deleted if Tryton allows it (a
        draft or cancelled sale), else PermanentError saying what is left."""
        sale = self._read_sale(external_id)
        name = sale["number"] or f"sale {sale['id']}"
        if sale["state"] in ("processing", "done"):
            raise PermanentError(f"{self.what}: {name} is {sale['state']} in Tryton and cannot "
                                 "be undone from here: cancel its shipment and invoice there")
        if sale["state"] in ("quotation", "confirmed"):
            self.call("model.sale.sale.draft", [sale["id"]])
        self.call("model.sale.sale.delete", [sale["id"]])
        return f"{name} deleted in Tryton"

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
        lines = self.lines.values(order)
        warehouse = self._warehouse()
        payment_term = self._payment_term()
        match, party = self.parties.find(order.customer)
        if party is None:
            party = self.parties.create(order.customer)
        address = self.parties.address_for_sale(order.customer, party)
        values = {
            "party": party["id"], "invoice_address": address, "shipment_address": address,
            "currency": currency, "reference": order.reference, "sale_date": order.order_date,
            "company": self.wire.context["company"], "comment": order.notes or None,
            "lines": [["create", lines]],
        }
        if warehouse:
            values["warehouse"] = warehouse
        term = payment_term or party.get("customer_payment_term")
        if term:
            values["payment_term"] = term
        sale_id, = self.call("model.sale.sale.create", [values])
        return sale_id, match.by or "created", match.notes

    def _finish(self, sale_id: int, state: str) -> None:
        """Quote then confirm, from wherever an earlier attempt stopped. A step
        Tryton refuses because the sale is already past it counts as done: the
        request of a worker killed mid-call may still be running in Tryton when
        the job runs again ("You can not call quote on ..." seen under kill -9)."""
        for step, method in (("quotation", "quote"), ("confirmed", "confirm")):
            if _past(state, step):
                continue
            try:
                self.call(f"model.sale.sale.{method}", [sale_id])
            except PermanentError:
                state = self._read_sale(sale_id)["state"]
                if not _past(state, step):
                    raise
                continue
            state = step

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
                           total_untaxed=row["untaxed_amount"], total_tax=row["tax_amount"],
                           total=row["total_amount"])


