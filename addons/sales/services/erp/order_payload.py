"""A confirmed order as the neutral `SaleOrder` for one backend.

Products keep their code and taxes their name unless the backend maps them:
{"product_codes": {"CD-HS100": "SCAN-100"}, "tax_codes": {"VAT 13%": "增值税13%"}};
the ERP refuses, by name, a code or tax it does not have. A tax mapped to
"" is sent as no tax, which only a 0% tax may be. Each line carries our
rounded amounts and the order our untaxed, tax and total, so the client can
send lines the ERP keeps and the hub can compare what the ERP computed.
The order is read with what the payload needs in few queries.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from addons.contacts.models import Company, Person
from connectors.erp.payloads import LineTax, OrderLine, SaleOrder
from connectors.errors import PermanentError

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
        joinedload(SalesOrder.person).selectinload(Person.phones))).first()


def sale_order(ctx, order: SalesOrder, *, create_new_customer: bool = False,
               existing_only: bool = False) -> SaleOrder:
    options = ctx.backend_options
    codes = options.get("product_codes") or {}
    tax_codes = options.get("tax_codes") or {}
    lines = tuple(
        OrderLine(product_code=codes.get(line.product.code, line.product.code),
                  description=line.description or line.product.name,
                  quantity=Decimal(line.quantity), unit_price=Decimal(line.unit_price),
                  discount_percent=Decimal(line.discount or 0),
                  taxes=_taxes(line, tax_codes),
                  amount_untaxed=Decimal(line.amount_untaxed),
                  amount_tax=Decimal(line.amount_tax))
        for line in sorted(order.lines, key=lambda l: (l.sequence, l.id)))
    return SaleOrder(
        reference=order.number,
        customer=customer_for(ctx, order.company or order.person, create_new_customer),
        currency=order.currency.code, order_date=order.order_date, lines=lines,
        total_untaxed=Decimal(order.amount_untaxed), total_tax=Decimal(order.amount_tax),
        total=Decimal(order.amount_total), notes=order.note or "",
        currency_places=order.currency.decimal_places, existing_only=existing_only)


def _taxes(line: SalesOrderLine, tax_codes: dict) -> tuple[LineTax, ...]:
    """The line's tax in the ERP's name; the rate and price-included flag are
    the ones copied onto the line when it was written."""
    if line.tax is None:
        return ()
    return mapped_tax(line.tax.name, Decimal(line.tax_rate), bool(line.price_include), tax_codes)


def mapped_tax(name: str, rate: Decimal, price_include: bool,
               tax_codes: dict) -> tuple[LineTax, ...]:
    """Our tax `name` as the ERP's (the backend's tax_codes, else the same
    name), for an order's line or an invoice's; mapped to "" it goes as no
    tax, which only a 0% tax may."""
    code = tax_codes.get(name, name)
    if not code:
        if rate:
            raise PermanentError(f"tax {name} ({rate.normalize():f}%) is mapped to no "
                                 "tax in this backend's tax_codes: the ERP's totals would "
                                 "differ; map it to the ERP's tax, then retry")
        return ()
    return (LineTax(code=code, rate=rate, price_include=price_include, name=name),)
