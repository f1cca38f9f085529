"""An issued invoice or credit note as the neutral `InvoiceOut` for one backend.

Lines go as the order's do (addons/sales/services/erp/order_payload.py):
product codes and taxes by our names unless the backend maps them
("product_codes", "tax_codes"), our rounded amounts with them. A line of no
order line (a down payment, or a final invoice's deduction of one) goes as
the backend's "down_payment_product", which must name a service product
there. The customer is the order's, matched as for orders; the ERP order it
invoices and, for a credit note, the invoice it corrects are named by their
bindings on this backend, when they have one.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from addons.contacts.models import Company, Person
from addons.sales.models.sales_order import ERP_MODEL as ORDER_MODEL, SalesOrderLine
from addons.sales.services.erp.customer_payload import customer_for
from addons.sales.services.erp.order_payload import mapped_tax
from connectors.erp.invoice_payloads import InvoiceOut
from connectors.erp.payloads import LineTax, OrderLine
from connectors.errors import PermanentError

from ...models.invoice import CREDIT_NOTE, ERP_MODEL, Invoice
from ...models.invoice_line import InvoiceLine


def load_invoice(session: Session, invoice_id: int) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.id == invoice_id).options(
        selectinload(Invoice.lines).joinedload(InvoiceLine.order_line)
        .joinedload(SalesOrderLine.product),
        joinedload(Invoice.currency), joinedload(Invoice.order),
        joinedload(Invoice.credited_invoice),
        joinedload(Invoice.company).selectinload(Company.emails),
        joinedload(Invoice.company).selectinload(Company.phones),
        joinedload(Invoice.person).selectinload(Person.emails),
        joinedload(Invoice.person).selectinload(Person.phones))).first()


def _product_code(ctx, line: InvoiceLine, codes: dict) -> str:
    if line.order_line is not None and line.order_line.product is not None:
        code = line.order_line.product.code
        return codes.get(code, code)
    down_payment = ctx.backend_options.get("down_payment_product") or ""
    if not down_payment:
        raise PermanentError(
            f"the line '{line.description}' is a down payment: set the backend's option "
            "down_payment_product to a service product of the ERP, then retry")
    return down_payment


def _taxes(line: InvoiceLine, tax_codes: dict) -> tuple[LineTax, ...]:
    if not line.tax_name:
        return ()
    return mapped_tax(line.tax_name, Decimal(line.tax_rate), bool(line.price_include), tax_codes)


def invoice_out(ctx, invoice: Invoice) -> InvoiceOut:
    options = ctx.backend_options
    codes = options.get("product_codes") or {}
    tax_codes = options.get("tax_codes") or {}
    lines = tuple(
        OrderLine(product_code=_product_code(ctx, line, codes), description=line.description,
                  quantity=Decimal(line.quantity), unit_price=Decimal(line.unit_price),
                  discount_percent=Decimal(line.discount or 0), taxes=_taxes(line, tax_codes),
                  amount_untaxed=Decimal(line.amount_untaxed),
                  amount_tax=Decimal(line.amount_tax))
        for line in sorted(invoice.lines, key=lambda x: (x.sequence, x.id)))
    order_ids = ctx.external_ids(ORDER_MODEL, [invoice.order_id])
    corrects = invoice.credited_invoice if invoice.kind == CREDIT_NOTE else None
    corrected_ids = ctx.external_ids(ERP_MODEL, [corrects.id]) if corrects is not None else {}
    return InvoiceOut(
        reference=invoice.number, kind="credit_note" if invoice.kind == CREDIT_NOTE else "invoice",
        customer=customer_for(ctx, invoice.company or invoice.person),
        currency=invoice.currency.code, invoice_date=invoice.invoice_date, lines=lines,
        total_untaxed=Decimal(invoice.amount_untaxed), total_tax=Decimal(invoice.amount_tax),
        total=Decimal(invoice.amount_total), due_date=invoice.due_date,
        order_external_id=order_ids.get(invoice.order_id, ""),
        order_reference=invoice.order.number,
        corrects_external_id=corrected_ids.get(corrects.id, "") if corrects else "",
        corrects_number=corrects.number or "" if corrects else "",
        currency_places=invoice.currency.decimal_places, notes=invoice.note or "")
