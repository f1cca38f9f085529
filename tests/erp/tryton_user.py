"""What a Tryton user does, over Tryton's JSON-RPC, for the tests (the
fixture's `TrytonServer` is one) and for people following the README:
read records, post, pay and credit customer invoices with Tryton's own
wizards, and invoice a synced sale.

    .venv/bin/python -m tests.erp.tryton_user --url http://localhost:8000 \
        --database shop --password s3cret invoice-sale SO2026-00001
    .venv/bin/python -m tests.erp.tryton_user ... pay-sale SO2026-00001

`invoice-sale` processes the sale whose reference is our order number
(Tryton invoices it, invoice method "order") and posts its invoices;
`pay-sale` pays what is left on each, as an accountant would in Tryton's client.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import json
from decimal import Decimal

import requests


class TrytonUser:
    def __init__(self, url: str, database: str, username: str, password: str):
        self.url, self.database = url, database
        self.username, self.password = username, password
        self._auth: str | None = None

    def rpc(self, method: str, *params, context: dict | None = None):
        """Call Tryton directly (model methods get `context`, default empty, appended)."""
        if self._auth is None:
            user_id, token = self._post("common.db.login",
                                        [self.username, {"password": self.password}, "en"])[:2]
            self._auth = "Session " + base64.b64encode(
                f"{self.username}:{user_id}:{token}".encode()).decode()
        return self._post(method, [*params, context or {}])

    def pay_invoice(self, invoice_id: int, amount: Decimal | None = None,
                    on: datetime.date | None = None) -> None:
        """Pay a posted customer invoice as a Tryton user does: the
        `account.invoice.pay` wizard with the "Cash" payment method (the whole
        amount to pay unless `amount` is given), then `process`, which
        Tryton's queue would run after the reconciliation."""
        self._auth = None  # the wizard wants a fresh session
        context = {"active_id": invoice_id, "active_ids": [invoice_id],
                   "active_model": "account.invoice"}
        session, start, _ = self.rpc("wizard.account.invoice.pay.create")
        form = self.rpc("wizard.account.invoice.pay.execute", session, {}, start,
                        context=context)["view"]["defaults"]
        method, = self.search_read("account.invoice.payment.method",
                                   [("name", "=", "Cash")], ["id"])
        form.update(payment_method=method["id"], date=on or datetime.date.today())
        if amount is not None:
            form["amount"] = amount
        data = {start: {k: v for k, v in form.items() if "." not in k}}
        answer = self.rpc("wizard.account.invoice.pay.execute", session, data, "choice",
                          context=context)
        if answer.get("view"):  # a partial payment: Tryton asks what to do with the rest
            ask = {k: v for k, v in answer["view"]["defaults"].items() if "." not in k}
            ask["type"] = "partial"
            self.rpc("wizard.account.invoice.pay.execute", session, {**data, "ask": ask},
                     "pay", context=context)
        self.rpc("wizard.account.invoice.pay.delete", session)

    def credit_invoice(self, invoice_id: int) -> None:
        """Credit a customer invoice as a Tryton user does (the credit wizard,
        without refund): a draft credit note whose lines point at its lines."""
        context = {"active_id": invoice_id, "active_ids": [invoice_id],
                   "active_model": "account.invoice"}
        session, start, _ = self.rpc("wizard.account.invoice.credit.create")
        self.rpc("wizard.account.invoice.credit.execute", session, {}, start, context=context)
        self.rpc("wizard.account.invoice.credit.execute", session, {
            start: {"with_refund": False, "invoice_date": None}}, "credit", context=context)
        self.rpc("wizard.account.invoice.credit.delete", session)

    def _post(self, method: str, params: list):
        body = json.dumps({"id": 1, "method": method, "params": params}, default=_encode)
        headers = {"Content-Type": "application/json"}
        if self._auth:
            headers["Authorization"] = self._auth
        response = requests.post(f"{self.url}/{self.database}/rpc/", data=body,
                                 headers=headers, timeout=30)
        response.raise_for_status()
        answer = json.loads(response.content, object_hook=lambda o: (
            Decimal(o["decimal"]) if o.get("__class__") == "Decimal" else o))
        if answer.get("error"):
            raise AssertionError(f"Tryton refused {method}: {answer['error']}")
        return answer["result"]

    def search_read(self, model: str, domain: list, fields: list[str]) -> list[dict]:
        return self.rpc(f"model.{model}.search_read", domain, 0, None, [["id", "ASC"]], fields)

    def invoice_sale(self, reference: str) -> list[str]:
        """Let Tryton invoice the sale with our `reference` (process it) and post
        its draft invoices; their numbers."""
        sale, = self.search_read("sale.sale", [("reference", "=", reference)], ["id"])
        self.rpc("model.sale.sale.process", [sale["id"]])
        drafts = [i["id"] for i in self._invoices_of(sale["id"]) if i["state"] == "draft"]
        if drafts:
            self.rpc("model.account.invoice.post", drafts)
        return [i["number"] for i in self._invoices_of(sale["id"])]

    def pay_sale(self, reference: str) -> list[str]:
        """Pay what is left on each posted invoice of the sale; their numbers."""
        sale, = self.search_read("sale.sale", [("reference", "=", reference)], ["id"])
        for invoice in self._invoices_of(sale["id"]):
            if invoice["state"] == "posted":
                self.pay_invoice(invoice["id"])
        return [i["number"] for i in self._invoices_of(sale["id"])]

    def _invoices_of(self, sale_id: int) -> list[dict]:
        return self.search_read("account.invoice", [("sales", "in", [sale_id])],
                                ["id", "state", "number"])


def _encode(value):
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month,
                "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8000")
    parser.add_argument("--database", required=True)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("action", choices=["invoice-sale", "pay-sale"])
    parser.add_argument("reference", help="our order number, the sale's reference in Tryton")
    args = parser.parse_args()
    user = TrytonUser(args.url.rstrip("/"), args.database, args.username, args.password)
    if args.action == "invoice-sale":
        numbers = user.invoice_sale(args.reference)
        print(f"{args.reference}: invoiced in Tryton as {', '.join(numbers)} (posted)")
    else:
        numbers = user.pay_sale(args.reference)
        print(f"{args.reference}: {', '.join(numbers)} paid in Tryton")


if __name__ == "__main__":
    main()
