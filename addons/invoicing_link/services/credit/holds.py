"""Quotations held by their customer's credit limit, for Finance to release
(Invoicing > Credit holds): the quotations of companies with a limit (their
own or their tier's) that would pass it, and no release covers. Read past the
record rules, like the limit itself: Finance does not read quotations
otherwise, and sees only these figures of them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from addons.contacts.models import Company
from addons.sales.models.sales_order import EDITABLE, SalesOrder
from core.db import is_row_id

from ...models.credit import CreditLimit
from .credit_check import CreditPosition, position, released
from .exposure import ALL_ROWS

SHOWN = 200  # newest quotations looked at per page


@dataclass
class Hold:
    order: SalesOrder
    where: CreditPosition


def held_quotations(session: Session, shown: int = SHOWN) -> list[Hold]:
    limited = or_(
        SalesOrder.company_id.in_(select(CreditLimit.company_id)
                                  .where(CreditLimit.company_id.is_not(None))),
        SalesOrder.company_id.in_(select(Company.id).where(Company.tier_id.in_(
            select(CreditLimit.tier_id).where(CreditLimit.tier_id.is_not(None))))))
    quotations = session.scalars(
        select(SalesOrder).where(SalesOrder.state.in_(EDITABLE), limited)
        .options(joinedload(SalesOrder.company), joinedload(SalesOrder.currency),
                 joinedload(SalesOrder.owner))
        .order_by(SalesOrder.id.desc()).limit(shown), execution_options=ALL_ROWS).all()
    holds, known = [], {}
    for order in quotations:
        where = position(session, order, known)
        if where is not None and where.over_by > 0 and released(session, order) is None:
            holds.append(Hold(order, where))
    return holds


def quotation_past_rules(session: Session, order_id: int) -> SalesOrder | None:
    """A quotation for Finance to release (who may not read it otherwise)."""
    if not is_row_id(order_id):
        return None
    return session.scalars(
        select(SalesOrder).where(SalesOrder.id == order_id)
        .options(joinedload(SalesOrder.company), joinedload(SalesOrder.currency)),
        execution_options=ALL_ROWS).first()
