"""What an order and an invoice already carry, read in one place.

Counted states: `ISSUED_ONLY` when issuing (what is final), `LIVE` (drafts
too) when drafting, so two drafts do not both take the same quantity.
Credit notes count negatively (`Invoice.sign`); a final invoice's deduction
lines are negative lines of their own.

    line_balances(session, order, states)  per order line: quantity and
                                           amounts invoiced, net of credit notes
    order_invoiced_total(session, order, states)   the signed sum of the
                                           order's invoices (kept <= its total)
    open_down_payments(session, order, states)     down payment lines not yet
                                           deducted nor credited, with what is left
    credited(session, invoice, states)     per invoice line: quantity and
                                           amounts its credit notes took back
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from addons.sales.models import SalesOrder
from addons.sales.rules.line_amounts import Amounts

from ...models.invoice import CREDIT_NOTE, DOWN_PAYMENT, DRAFT, ISSUED, Invoice
from ...models.invoice_line import InvoiceLine

ISSUED_ONLY = (ISSUED,)
LIVE = (DRAFT, ISSUED)
ZERO = Amounts(Decimal(0), Decimal(0), Decimal(0))


@dataclass(frozen=True)
class Balance:
    quantity: Decimal
    amounts: Amounts


def _signed(column):
    return func.coalesce(func.sum(case((Invoice.kind == CREDIT_NOTE, -column), else_=column)), 0)


def _sums(session: Session, key, *where) -> dict:
    rows = session.execute(
        select(key, _signed(InvoiceLine.quantity), _signed(InvoiceLine.amount_untaxed),
               _signed(InvoiceLine.amount_tax), _signed(InvoiceLine.amount_total))
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id).where(*where).group_by(key))
    return {k: Balance(Decimal(q), Amounts(Decimal(u), Decimal(t), Decimal(a)))
            for k, q, u, t, a in rows}


def line_balances(session: Session, order: SalesOrder, states=LIVE,
                  exclude_invoice_id: int | None = None) -> dict[int, Balance]:
    where = [Invoice.order_id == order.id, Invoice.state.in_(states),
             InvoiceLine.order_line_id.is_not(None)]
    if exclude_invoice_id is not None:
        where.append(Invoice.id != exclude_invoice_id)
    found = _sums(session, InvoiceLine.order_line_id, *where)
    return defaultdict(lambda: Balance(Decimal(0), ZERO), found)


def order_invoiced_total(session: Session, order: SalesOrder, states=LIVE,
                         exclude_invoice_id: int | None = None) -> Decimal:
    where = [Invoice.order_id == order.id, Invoice.state.in_(states)]
    if exclude_invoice_id is not None:
        where.append(Invoice.id != exclude_invoice_id)
    signed = case((Invoice.kind == CREDIT_NOTE, -Invoice.amount_total), else_=Invoice.amount_total)
    return Decimal(session.scalar(select(func.coalesce(func.sum(signed), 0)).where(*where)))


def credited(session: Session, invoice: Invoice, states=LIVE,
             exclude_invoice_id: int | None = None) -> dict[int, Balance]:
    """Per line of `invoice`: what its credit notes took back (positive figures)."""
    where = [Invoice.credited_invoice_id == invoice.id, Invoice.kind == CREDIT_NOTE,
             Invoice.state.in_(states), InvoiceLine.credited_line_id.is_not(None)]
    if exclude_invoice_id is not None:
        where.append(Invoice.id != exclude_invoice_id)
    found = {k: Balance(-b.quantity, Amounts(-b.amounts.untaxed, -b.amounts.tax,
                                                -b.amounts.total))
             for k, b in _sums(session, InvoiceLine.credited_line_id, *where).items()}
    return defaultdict(lambda: Balance(Decimal(0), ZERO), found)


def open_down_payments(session: Session, order: SalesOrder,
                       states=ISSUED_ONLY) -> list[tuple[InvoiceLine, Amounts]]:
    """The order's issued down payment lines with the amounts still to deduct:
    the line, less its credit notes, less the deductions (themselves less
    their credit notes) of live final invoices."""
    dp_lines = session.scalars(
        select(InvoiceLine).join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.order_id == order.id, Invoice.kind == DOWN_PAYMENT,
               Invoice.state.in_(states)).order_by(InvoiceLine.id)).all()
    if not dp_lines:
        return []
    ids = [line.id for line in dp_lines]
    live = Invoice.state.in_(LIVE)
    taken = _sums(session, InvoiceLine.credited_line_id, live,
                  InvoiceLine.credited_line_id.in_(ids))  # credit notes: negative
    deducted = _sums(session, InvoiceLine.deducted_line_id, live,
                     InvoiceLine.deducted_line_id.in_(ids))  # deductions: negative
    # a credit note of a deduction (its line negative like the deduction)
    # gives that amount back to the down payment
    deduction = aliased(InvoiceLine)
    given_back: dict[int, Amounts] = {}
    rows = session.execute(
        select(deduction.deducted_line_id, InvoiceLine.amount_untaxed, InvoiceLine.amount_tax,
               InvoiceLine.amount_total)
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .join(deduction, InvoiceLine.credited_line_id == deduction.id)
        .where(live, Invoice.kind == CREDIT_NOTE, deduction.deducted_line_id.in_(ids)))
    for dp_id, u, t, a in rows:
        given_back[dp_id] = given_back.get(dp_id, ZERO) + Amounts(
            -Decimal(u), -Decimal(t), -Decimal(a))
    result = []
    for line in dp_lines:
        left = Amounts(Decimal(line.amount_untaxed), Decimal(line.amount_tax),
                       Decimal(line.amount_total))
        for found in (taken.get(line.id), deducted.get(line.id)):
            if found is not None:
                left = left + found.amounts
        left = left + given_back.get(line.id, ZERO)
        if left.total > 0:
            result.append((line, left))
    return result
