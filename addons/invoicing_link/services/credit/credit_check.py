"""The credit limit when an order is confirmed (sales' confirm_checks
extension point) and Finance's release of an order it holds.

The limit is the company's own, else its tier's; none, or a customer that is
a person, means no check. Past the limit (exposure.py: open invoices + confirmed
orders not invoiced + this order, in the base currency) the setting
`credit_limit_mode` decides: "warn" confirms, says by how much and audits it;
"block" refuses, saying by how much, until Finance releases the order
(`release`, audited), up to the order's total then. The customer's row is
locked for the check, so two orders confirmed at once are counted one after
the other (PostgreSQL; SQLite has one writer anyway).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company
from addons.sales.models.sales_order import EDITABLE, SalesOrder
from addons.sales.services.catalog.currency_rates import convert
from addons.sales.services.orders.order_states import OrderCheckError, OrderStateError
from core.security.actor import current_actor
from core.security.audit import record_event
from core.user_time import today as local_today

from ...models.credit import CreditLimit, CreditRelease
from ...settings import configured
from .exposure import ALL_ROWS, Exposure, exposure

WARN, BLOCK = "warn", "block"


@dataclass
class CreditPosition:
    """An order against its customer's limit, all in the base currency."""
    limit: Decimal
    owed: Exposure  # before this order
    order_amount: Decimal

    @property
    def over_by(self) -> Decimal:
        return self.owed.total + self.order_amount - self.limit

    def text(self, amount: Decimal) -> str:
        places = self.owed.currency.decimal_places
        return f"{amount:,.{places}f} {self.owed.currency.code}"


def mode() -> str:
    found = configured().credit_limit_mode.strip().lower()
    if found not in (WARN, BLOCK):
        raise ValueError(f"CROSSDOCK_CREDIT_LIMIT_MODE={found!r}: use 'warn' or 'block'")
    return found


def limit_of(session: Session, company_id: int) -> Decimal | None:
    """The company's own limit, else its tier's; None: no limit."""
    rows = session.execute(
        select(CreditLimit.company_id, CreditLimit.amount)
        .where((CreditLimit.company_id == company_id)
               | CreditLimit.tier_id.in_(select(Company.tier_id)
                                         .where(Company.id == company_id)
                                         .scalar_subquery())),
        execution_options=ALL_ROWS).all()
    own = [amount for company, amount in rows if company is not None]
    return (own or [amount for _, amount in rows] or [None])[0]


def position(session: Session, order: SalesOrder,
             known: dict | None = None) -> CreditPosition | None:
    """Where `order` (a quotation) stands against its customer's limit; None:
    no limit. `known` keeps each company's limit and exposure across calls."""
    if order.company_id is None:
        return None
    day = local_today()
    known = {} if known is None else known
    if order.company_id not in known:
        limit = limit_of(session, order.company_id)
        known[order.company_id] = (limit, None if limit is None else exposure(
            session, order.company_id, day))
    limit, owed = known[order.company_id]
    if limit is None:
        return None
    amount = convert(session, Decimal(order.amount_total or 0), order.currency,
                     owed.currency, day)
    return CreditPosition(Decimal(limit), owed, amount)


def company_standing(session: Session, company_id: int) -> dict | None:
    """The company's limit, what it owes against it and what is left; None: no limit."""
    limit = limit_of(session, company_id)
    if limit is None:
        return None
    owed = exposure(session, company_id, local_today())
    return {"limit": Decimal(limit), "owed": owed, "available": Decimal(limit) - owed.total}


def standing_json(standing: dict | None) -> dict | None:
    if standing is None:
        return None
    owed, places = standing["owed"], standing["owed"].currency.decimal_places
    return {"currency": owed.currency.code,
            **{k: f"{v:.{places}f}" for k, v in (("limit", standing["limit"]),
                                                   ("open", owed.open),
                                                   ("to_invoice", owed.to_invoice),
                                                   ("available", standing["available"]))},
            "unconverted": {k: str(v) for k, v in owed.unconverted.items()}}


def released(session: Session, order: SalesOrder) -> CreditRelease | None:
    """The release that still covers the order (its currency, its total or more)."""
    return session.scalars(
        select(CreditRelease).where(CreditRelease.order_id == order.id,
                                    CreditRelease.currency_id == order.currency_id,
                                    CreditRelease.amount_total >= order.amount_total)
        .order_by(CreditRelease.id.desc()), execution_options=ALL_ROWS).first()


def passes_limit_message(order: SalesOrder, where: CreditPosition) -> str:
    return gettext(
        "%(customer)s: confirming %(number)s (%(amount)s) passes the credit limit of "
        "%(limit)s by %(over)s (open invoices %(open)s, confirmed orders not invoiced "
        "%(to_invoice)s).", customer=order.company.name, number=order.number,
        amount=where.text(where.order_amount), limit=where.text(where.limit),
        over=where.text(where.over_by), open=where.text(where.owed.open),
        to_invoice=where.text(where.owed.to_invoice))


def check_credit(session: Session, order: SalesOrder) -> str | None:
    """sales' confirm check: None, a warning, or OrderCheckError (block mode)."""
    if order.company_id is None or limit_of(session, order.company_id) is None:
        return None  # most customers: one small query, no lock
    session.execute(select(Company.id).where(Company.id == order.company_id)
                    .with_for_update(), execution_options=ALL_ROWS)
    where = position(session, order)  # read after the lock: a racer's order counts
    if where is None or where.over_by <= 0:
        return None
    details = {"number": order.number, "over_by": str(where.over_by),
               "limit": str(where.limit), "currency": where.owed.currency.code}
    if mode() == WARN:
        record_event(session, "credit_limit_passed", "SalesOrder", order.id, details)
        return passes_limit_message(order, where)
    release = released(session, order)
    if release is not None:
        record_event(session, "credit_limit_passed", "SalesOrder", order.id,
                     {**details, "release_id": release.id})
        return None
    raise OrderCheckError(passes_limit_message(order, where) + " " + gettext(
        "Finance can release the order."), field="company_id")


def release(session: Session, order: SalesOrder, reason: str) -> CreditRelease:
    """Finance lets a quotation held by the credit limit be confirmed, up to
    its total now. The caller checks the permission and commits."""
    reason = (reason or "").strip()
    if order.state not in EDITABLE:
        raise OrderStateError(gettext("%(number)s is not a quotation: there is nothing to "
                                      "release", number=order.number))
    if not reason:
        raise OrderCheckError(gettext("Give a reason for the release."), field="reason")
    where = position(session, order)
    if where is None or where.over_by <= 0:
        raise OrderCheckError(gettext("%(number)s is within its customer's credit limit: "
                                      "there is nothing to release", number=order.number),
                              field="order_id")
    row = CreditRelease(order_id=order.id, amount_total=order.amount_total,
                        currency_id=order.currency_id,
                        over_by=where.over_by, reason=reason[:2000],
                        released_at=datetime.utcnow(), released_by_id=current_actor().user_id)
    session.add(row)
    session.flush()
    record_event(session, "credit_release", "SalesOrder", order.id,
                 {"number": order.number, "amount_total": str(order.amount_total),
                  "over_by": str(where.over_by), "reason": reason[:2000]})
    return row
