"""A confirmed order as the neutral `SaleOrder` for one backend.

Products keep their code unless the backend maps it:
{"product_codes": {"CD-HS100": "SCAN-100"}}. The order is read with what the
payload needs in few queries (and without the hub's jobs and bindings, which
the order loads for its status).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from addons.contacts.models import Company, Person
from connectors.erp.payloads import OrderLine, SaleOrder

from ...models.sales_order import SalesOrder, SalesOrderLine
from .customer_payload import customer_for


def load_order(session: Session, order_id: int) -> SalesOrder | None:
    return session.scalars(select(SalesOrder).where(SalesOrder.id == order_id).options(
        selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product),
        selectinload(SalesOrder.lines).joinedload(SalesOrderLine.tax),
        joinedload(SalesOrder.currency),
        joinedload(SalesOrder.company).selectinload(Company.emails),
        joinedload(SalesOrder.company).selectinload(Company.phones),
        joinedload(SalesOrder.person).selectinload(Person.emails),
        joinedload(SalesOrder.person).selectinload(Person.phones),
        lazyload(SalesOrder.erp_bindings), lazyload(SalesOrder.erp_jobs))).first()


def sale_order(ctx, order: SalesOrder, *, create_new_customer: bool = False,
               existing_only: bool = False) -> SaleOrder:
    options = ctx.backend_options
    codes = options.get("product_codes") or {}
    lines = tuple(
        OrderLine(product_code=codes.get(line.product.code, line.product.code),
                  description=line.description or line.product.name,
                  quantity=Decimal(line.quantity), unit_price=Decimal(line.unit_price),
                  discount_percent=Decimal(line.discount or 0))
        for line in sorted(order.lines, key=lambda l: (l.sequence, l.id)))
    return SaleOrder(
        reference=order.number,
        customer=customer_for(ctx, order.company or order.person, create_new_customer),
        currency=order.currency.code, order_date=order.order_date, lines=lines,
        total_untaxed=Decimal(order.amount_untaxed), notes=order.note or "",
        currency_places=order.currency.decimal_places, existing_only=existing_only)
