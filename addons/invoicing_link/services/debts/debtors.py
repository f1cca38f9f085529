"""Who owes what: every company with open invoices, its balance in the base
currency by age, largest first (Invoicing > Debtors and its CSV). The same
rules as one company's balance (balance.py), summed in the database per
company, currency and age, so the list costs one GROUP BY however many
invoices there are; read through the record rules like every list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from addons.contacts.models import Company
from addons.sales.models import Currency
from addons.sales.services.catalog.currency_rates import MissingRate, base_currency, rate_on
from addons.sales.rules.money import round_money
from core.user_time import today as local_today

from ...models.invoice import CREDIT_NOTE, ISSUED, Invoice
from .balance import BUCKETS

MAX_ROWS = 1000  # the page and the CSV; narrow with the filters beyond that


@dataclass
class Debtor:
    company_id: int
    name: str
    owner: str
    outstanding: Decimal = Decimal(0)
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS,
                                                                              Decimal(0)))
    oldest_due: date | None = None  # of its overdue invoices
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def overdue(self) -> Decimal:
        return self.outstanding - self.buckets["not_due"]


def _bucket(day: date):
    due = Invoice.due_date
    return case((due.is_(None) | (due >= day), "not_due"),
                (due >= day - timedelta(days=30), "1_30"),
                (due >= day - timedelta(days=60), "31_60"),
                (due >= day - timedelta(days=90), "61_90"), else_="over_90")


def debtors(session: Session, *, owner_id: int | None = None, team_id: int | None = None,
            overdue_only: bool = False, day: date | None = None) -> tuple[str, list[Debtor]]:
    """(base currency code, debtors largest first)."""
    day = day or local_today()
    base = base_currency(session)
    bucket = _bucket(day)
    sign = case((Invoice.kind == CREDIT_NOTE, -1), else_=1)
    query = (select(Invoice.company_id, Invoice.currency_id, bucket,
                    func.sum(sign * Invoice.amount_residual), func.min(Invoice.due_date))
             .where(Invoice.state == ISSUED, Invoice.amount_residual != 0,
                    Invoice.company_id.is_not(None))
             .group_by(Invoice.company_id, Invoice.currency_id, bucket))
    if owner_id is not None:
        query = query.where(Invoice.owner_id == owner_id)
    if team_id is not None:
        query = query.where(Invoice.team_id == team_id)
    rows = session.execute(query).all()
    currencies = {c.id: c for c in session.scalars(select(Currency))}
    rates: dict[int, Decimal | None] = {}
    found: dict[int, Debtor] = {}
    for company_id, currency_id, age, amount, oldest in rows:
        debtor = found.setdefault(company_id, Debtor(company_id, "", ""))
        currency = currencies[currency_id]
        if currency_id not in rates:
            try:
                rates[currency_id] = rate_on(session, currency, day)
            except MissingRate:
                rates[currency_id] = None
        rate = rates[currency_id]
        if rate is None:
            debtor.unconverted[currency.code] = debtor.unconverted.get(
                currency.code, Decimal(0)) + Decimal(amount)
            continue
        converted = round_money(Decimal(amount) / rate * rate_on(session, base, day),
                                base.decimal_places)
        debtor.outstanding += converted
        debtor.buckets[age] += converted
        if age != "not_due" and (debtor.oldest_due is None or oldest < debtor.oldest_due):
            debtor.oldest_due = oldest
    names = {c.id: (c.name, c.owner.username if c.owner else "") for c in session.scalars(
        select(Company).where(Company.id.in_(list(found))).options(joinedload(Company.owner)))
             } if found else {}
    listed = []
    for debtor in found.values():
        if debtor.company_id not in names:  # a company the reader may not read
            continue
        debtor.name, debtor.owner = names[debtor.company_id]
        if overdue_only and not debtor.overdue:
            continue
        if debtor.outstanding or debtor.unconverted:
            listed.append(debtor)
    listed.sort(key=lambda d: (-d.outstanding, d.name))
    return base.code, listed[:MAX_ROWS]
