"""The panels invoicing puts in screen slots: an invoice's lines (its own
page) and an order's invoices (sales' order page). Each returns the panel
template's variables; rows are read through the record rules."""
from __future__ import annotations

from decimal import Decimal

from flask import url_for
from sqlalchemy import select

from addons.sales.rules.money import round_money
from core.db import db

from ..models.invoice import Invoice
from .invoice_labels import kind_word, payment_word, state_badge


def money(amount, currency) -> str:
    places = currency.decimal_places if currency is not None else 2
    return f"{round_money(Decimal(amount or 0), places):,.{places}f}"


def invoice_lines(view, invoice) -> dict:
    return {"invoice": invoice, "lines": invoice.lines, "money": money,
            "print_url": url_for("InvoicePrintView.print_invoice", pk=invoice.id)}


def order_invoices(view, order) -> dict:
    invoices = db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                  .order_by(Invoice.id)).all()
    return {"invoices": invoices, "money": money, "state_badge": state_badge,
            "kind_word": kind_word, "payment_word": payment_word}
