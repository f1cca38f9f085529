"""What a customer owes (欠款): the open amounts of their issued invoices, in
the base currency, by age; read through the record rules, so each reader
sees the balance of the invoices they may read.

- open: an issued invoice's `amount_residual` (what the finance system says
  is left to pay, services/finance_sync/payments.py; the total until then);
  an issued credit note's residual counts against it (credit not yet used);
- converted into the base currency at today's rate (sales' currency rates),
  each invoice rounded once; a currency without a rate stays apart, in
  `unconverted`, never dropped;
- by age, days past the due date (the reader's today): not due, 1-30, 31-60,
  61-90, over 90; an invoice without a due date is not due.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from addons.sales.services.catalog.currency_rates import MissingRate, base_currency, convert
from core.user_time import today as local_today

from ...models.invoice import CREDIT_NOTE, ISSUED, Invoice

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


def bucket_of(due: date | None, day: date) -> str:
    late = (day - due).days if due is not None else 0
    if late <= 0:
        return "not_due"
    if late <= 30:
        return "1_30"
    if late <= 60:
        return "31_60"
    if late <= 90:
        return "61_90"
    return "over_90"


@dataclass
class Balance:
    currency: str  # the base currency's code
    places: int = 2  # its decimals
    outstanding: Decimal = Decimal(0)
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS,
                                                                              Decimal(0)))
    overdue: list[Invoice] = field(default_factory=list)  # open and past due, oldest first
    unconverted: dict[str, Decimal] = field(default_factory=dict)  # no rate: per currency

    def text(self, amount: Decimal) -> str:
        """An amount of the balance as text, at the base currency's decimals."""
        return f"{amount:.{self.places}f}"

    def as_json(self) -> dict:
        return {"currency": self.currency, "outstanding": self.text(self.outstanding),
                "buckets": {k: self.text(v) for k, v in self.buckets.items()},
                "unconverted": {k: str(v) for k, v in self.unconverted.items()},
                "overdue": [{"id": i.id, "number": i.number,
                             "due_date": i.due_date.isoformat() if i.due_date else None,
                             "residual": str(i.amount_residual),
                             "currency": i.currency.code} for i in self.overdue]}


def open_invoices(session: Session, **where) -> list[Invoice]:
    """Issued invoices and credit notes with something left, filtered by column."""
    query = select(Invoice).where(Invoice.state == ISSUED, Invoice.amount_residual != 0,
                                  *(getattr(Invoice, k) == v for k, v in where.items()))
    return list(session.scalars(query.options(joinedload(Invoice.currency))
                                .order_by(Invoice.due_date, Invoice.id)))


def balance_of(session: Session, invoices: list[Invoice], day: date | None = None) -> Balance:
    day = day or local_today()
    base = base_currency(session)
    result = Balance(base.code, base.decimal_places)
    unconverted: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        sign = -1 if invoice.kind == CREDIT_NOTE else 1
        try:
            amount = sign * convert(session, Decimal(invoice.amount_residual), invoice.currency,
                                    base, day)
        except MissingRate:
            unconverted[invoice.currency.code] += sign * Decimal(invoice.amount_residual)
            continue
        bucket = bucket_of(invoice.due_date, day) if sign > 0 else "not_due"
        result.outstanding += amount
        result.buckets[bucket] += amount
        if bucket != "not_due":
            result.overdue.append(invoice)
    result.unconverted = dict(unconverted)
    return result


def company_balance(session: Session, company_id: int, day: date | None = None) -> Balance:
    return balance_of(session, open_invoices(session, company_id=company_id), day)
