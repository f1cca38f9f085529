"""The Odoo double's invoices: `account.move` as Odoo's `account` module
publishes it, mixed into `OdooDouble`.

Published behaviour it follows (odoo/odoo addons/account/models/account_move.py,
the "Invoicing" user documentation and the account.move field reference):
- customer invoices and credit notes are `account.move` records with
  `move_type` "out_invoice" / "out_refund", `invoice_line_ids` created with
  `Command.create` triples {product_id, quantity, price_unit, discount, name,
  tax_ids}, `partner_id`, `ref` (the customer reference), `invoice_origin`
  (the source document, e.g. the sale order's name), `invoice_date`,
  `invoice_date_due` (defaults to the invoice date), `currency_id`,
  `narration`, `reversed_entry_id` (a credit note's reversed invoice);
- `name` is "/" until `action_post` gives it the journal's sequence
  ("INV/2026/00001", "RINV/2026/00001"); `state` draft -> posted
  (`action_post`, refused from other states, without lines: "You need to add
  a line before posting.", and on or before the company's lock date: "You
  cannot add/modify entries prior to and inclusive of the lock date ..."),
  `button_draft` posted -> draft, `button_cancel` draft -> cancel;
- amounts: `amount_untaxed`, `amount_tax`, `amount_total` (positive for
  both types, Odoo's per-line half-up rounding as for orders),
  `amount_residual` (what is left to pay), `payment_state` not_paid /
  partial / in_payment / paid / reversed, `invoice_payments_widget` (JSON:
  {"content": [{"amount", "date", "ref", ...}]}, one entry per payment);
- `sale.order.invoice_ids`: the invoices and credit notes made from the
  order (sale's `_create_invoices`: `ref` = the order's `client_order_ref`,
  `invoice_origin` = the order's name, lines copied).
Payments are what the "Register Payment" wizard (account.payment.register)
leaves on the invoice: `register_payment` here, for tests.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

ACCOUNTING_SCHEMA = {
    "account.move": {"name": None, "move_type": None, "state": None, "partner_id": "res.partner",
                     "ref": None, "payment_reference": None, "invoice_origin": None,
                     "invoice_date": None, "invoice_date_due": None,
                     "currency_id": "res.currency", "narration": None,
                     "invoice_line_ids": None, "amount_untaxed": None, "amount_tax": None,
                     "amount_total": None, "amount_residual": None, "payment_state": None,
                     "reversed_entry_id": "account.move", "invoice_payments_widget": None,
                     "company_id": "res.company"},
    "account.move.line": {"move_id": "account.move", "product_id": "product.product",
                          "name": None, "quantity": None, "price_unit": None, "discount": None,
                          "tax_ids": None, "price_subtotal": None, "price_total": None},
}
PREFIX = {"out_invoice": "INV", "out_refund": "RINV"}


class AccountingMixin:
    """account.move for `OdooDouble` (which provides storage and faults)."""

    lock_date: dt.date | None = None  # the company's lock date (fiscalyear_lock_date)

    def _move_sequence(self, move_type: str):
        if not hasattr(self, "_move_seqs"):
            self._move_seqs = {kind: itertools.count(1) for kind in PREFIX}
        return self._move_seqs[move_type]

    # -- seeding, for tests -------------------------------------------------
    def invoice_order(self, reference: str, *, post: bool = True, refund_of: int = 0) -> int:
        """What sale's "Create Invoice" does for the order with this
        client_order_ref (or, with `refund_of`, a credit note reversing it)."""
        with self._lock:
            order_id = min(self._index[("sale.order", "client_order_ref")][reference])
            order = self.records["sale.order"][order_id]
            lines = [self.records["sale.order.line"][i] for i in order["order_line"]]
            move_id = self._create_move({
                "move_type": "out_refund" if refund_of else "out_invoice",
                "partner_id": order["partner_id"], "ref": order["client_order_ref"],
                "invoice_origin": order["name"], "reversed_entry_id": refund_of or False,
                "invoice_line_ids": [[0, 0, {
                    "product_id": l["product_id"], "quantity": l["product_uom_qty"],
                    "price_unit": l["price_unit"], "discount": l["discount"], "name": l["name"],
                    "tax_ids": [[6, 0, l["tax_ids"]]]}] for l in lines]})
            order["invoice_ids"].append(move_id)
            order["invoice_status"] = "invoiced"
            if post:
                self._m_action_post("account.move", [move_id], {})
            return move_id

    def register_payment(self, move_id: int, amount=None, date: dt.date | None = None,
                         *, in_payment: bool = False) -> None:
        """account.payment.register on one invoice: the whole residual unless `amount`."""
        with self._lock:
            move = self.records["account.move"][move_id]
            amount = Decimal(str(amount)) if amount is not None else move["amount_residual"]
            move["amount_residual"] -= amount
            widget = move["invoice_payments_widget"] or {"title": "Less Payment",
                                                         "outstanding": False, "content": []}
            widget["content"].append({"name": f"Payment of {move['name']}", "amount": amount,
                                      "date": (date or dt.date.today()).isoformat(),
                                      "ref": move["name"], "journal_name": "Bank"})
            move["invoice_payments_widget"] = widget
            if move["amount_residual"] <= 0:
                move["payment_state"] = "in_payment" if in_payment else "paid"
            else:
                move["payment_state"] = "partial"

    # -- ORM methods ----------------------------------------------------------
    def _m_action_post(self, model, ids, context):
        from .odoo_double import user_error
        moves = [self.records["account.move"][i] for i in ids]
        for move in moves:
            if move["state"] != "draft":
                raise user_error("Only draft journal entries can be posted.")
            if not move["invoice_line_ids"]:
                raise user_error("You need to add a line before posting.")
            move["invoice_date"] = move["invoice_date"] or dt.date.today().isoformat()
            if self.lock_date and dt.date.fromisoformat(move["invoice_date"]) <= self.lock_date:
                raise user_error("You cannot add/modify entries prior to and inclusive of the "
                                 f"lock date {self.lock_date.strftime('%m/%d/%Y')}.")
        for move in moves:
            year = move["invoice_date"][:4]
            move.update(state="posted", payment_state="not_paid",
                        invoice_date_due=move["invoice_date_due"] or move["invoice_date"],
                        amount_residual=move["amount_total"])
            if move["name"] in (None, "/"):
                number = next(self._move_sequence(move["move_type"]))
                move["name"] = f"{PREFIX[move['move_type']]}/{year}/{number:05d}"
            move["payment_reference"] = move["payment_reference"] or move["name"]
        return False

    def _m_button_draft(self, model, ids, context):
        for i in ids:
            self.records["account.move"][i].update(state="draft")
        return False

    def _m_button_cancel(self, model, ids, context):
        from .odoo_double import user_error
        for i in ids:
            if self.records["account.move"][i]["state"] != "draft":
                raise user_error("Only draft journal entries can be cancelled.")
            self.records["account.move"][i].update(state="cancel")
        return False

    # -- storage ---------------------------------------------------------------
    def _create_move(self, vals: dict) -> int:
        from .odoo_double import _line_amounts, value_error
        vals = dict(vals)
        commands = vals.pop("invoice_line_ids", [])
        self._check_fields("account.move", vals)
        if vals.get("move_type") not in PREFIX:
            raise value_error(f"Wrong value for account.move.move_type: {vals.get('move_type')!r}")
        vals.setdefault("currency_id", self.currency_id)
        move_id = self._insert("account.move", {
            **vals, "name": "/", "state": "draft", "payment_state": "not_paid",
            "company_id": self.company_id, "invoice_line_ids": []})
        move = self.records["account.move"][move_id]
        untaxed = tax = Decimal(0)
        for command in commands:
            if not (isinstance(command, list) and len(command) == 3 and command[0] == 0):
                raise value_error(f"Unsupported one2many command {command!r} in this double")
            line = dict(command[2])
            self._check_fields("account.move.line", line)
            qty, price, discount = (Decimal(str(line.get(k) or 0))
                                    for k in ("quantity", "price_unit", "discount"))
            taxes = self._line_taxes(line.get("tax_ids"))
            subtotal, line_tax = _line_amounts(qty * price * (1 - discount / 100), taxes)
            product = self.records["product.product"].get(line.get("product_id"))
            line_id = self._insert("account.move.line", {
                **line, "move_id": move_id,
                "name": line.get("name") or (product or {}).get("name"),
                "tax_ids": [t["id"] for t in taxes], "price_subtotal": subtotal,
                "price_total": subtotal + line_tax})
            move["invoice_line_ids"].append(line_id)
            untaxed += subtotal
            tax += line_tax
        move.update(amount_untaxed=untaxed, amount_tax=tax, amount_total=untaxed + tax,
                    amount_residual=untaxed + tax)
        return move_id
