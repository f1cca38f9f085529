"""What a company owes, for its credit limit, in the base currency:

- open: its issued invoices' residual (an issued credit note's counts against);
- to invoice: its confirmed orders' totals less what their issued invoices
  and credit notes cover, never below zero per order (a cancellation still
  pending counts: the order stands until the ERP agrees);

at today's rate; a currency without a rate stays apart (`unconverted`). Read
past the record rules: a salesperson confirming counts the invoices and
orders of the other teams too (the screens show only the totals).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from addons.sales.models import Currency, SalesOrder
from addons.sales.models.sales_order import CONFIRMED
from addons.sales.services.catalog.currency_rates import MissingRate, base_currency, convert

from ...models.invoice import CREDIT_NOTE, ISSUED, Invoice

ALL_ROWS = {"skip_record_rules": True}


@dataclass
class Exposure:
    currency: Currency  # the base currency
    open: Decimal = Decimal(0)
    to_invoice: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.open + self.to_invoice


def _signed(amount):
    return case((Invoice.kind == CREDIT_NOTE, -amount), else_=amount)


def exposure(session: Session, company_id: int, day: date) -> Exposure:
    base = base_currency(session)
    found = Exposure(base)
    open_by_currency = session.execute(
        select(Invoice.currency_id, func.sum(_signed(Invoice.amount_residual)))
        .where(Invoice.company_id == company_id, Invoice.state == ISSUED)
        .group_by(Invoice.currency_id), execution_options=ALL_ROWS).all()
    confirmed = (SalesOrder.company_id == company_id, SalesOrder.state == CONFIRMED)
    orders = session.execute(
        select(SalesOrder.id, SalesOrder.currency_id, SalesOrder.amount_total)
        .where(*confirmed), execution_options=ALL_ROWS).all()
    invoiced = dict(session.execute(  # a subquery, not thousands of ids in an IN list
        select(Invoice.order_id, func.sum(_signed(Invoice.amount_total)))
        .where(Invoice.order_id.in_(select(SalesOrder.id).where(*confirmed)),
               Invoice.state == ISSUED)
        .group_by(Invoice.order_id), execution_options=ALL_ROWS).all()) if orders else {}
    to_invoice: dict[int, Decimal] = defaultdict(Decimal)
    for order in orders:
        to_invoice[order.currency_id] += max(
            Decimal(order.amount_total) - Decimal(invoiced.get(order.id) or 0), Decimal(0))
    currencies = {c.id: c for c in session.scalars(select(Currency))}
    unconverted: dict[str, Decimal] = defaultdict(Decimal)
    for part, amounts in (("open", dict(open_by_currency)), ("to_invoice", to_invoice)):
        for currency_id, amount in amounts.items():
            currency = currencies[currency_id]
            try:
                in_base = convert(session, Decimal(amount or 0), currency, base, day)
            except MissingRate:
                unconverted[currency.code] += Decimal(amount or 0)
                continue
            setattr(found, part, getattr(found, part) + in_base)
    found.unconverted = dict(unconverted)
    return found
