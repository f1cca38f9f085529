"""Draft invoices of a confirmed order: the commands that validate, then add
one draft (no commit; the caller commits or rolls back).

    invoice_order(session, order, quantities=None)   the lines left to invoice,
        all of them or {order_line_id: quantity}; invoicing everything left
        while down payments are open makes the final invoice (it deducts them)
    down_payment(session, order, percent=None, amount=None)
        a gross amount (tax included) split over the order's tax rates
        (rules/down_payment_split.py), one line per rate
    final_invoice(session, order)  what is left, less the open down payments

Amounts follow sales' rules (rules/line_amounts.py, rounded per line to the
currency). A quantity that completes an order line takes the line's amounts
left (the order line's less what was invoiced), so an order's invoices add up
to its total to the cent however it was split. Limits, counting drafts and
issued invoices net of credit notes: an order line's quantity, and the
order's total for the sum of its invoices (issue_invoice.py checks again
with the issued ones, under the numbering lock).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from sqlalchemy.orm import Session

from addons.sales.models import SalesOrder
from addons.sales.models.sales_order import CONFIRMED
from addons.sales.rules.line_amounts import Amounts, line_amounts
from addons.sales.rules.money import round_money
from core.security.actor import current_actor
from core.security.audit import record_event

from ...models.invoice import DOWN_PAYMENT, INVOICE, SERIES, Invoice
from ...models.invoice_line import InvoiceLine
from ...rules.down_payment_split import percent_of, split_by_tax
from . import invoiced_amounts
from .invoice_errors import InvoiceCheckError, InvoiceStateError
from .invoice_totals import recompute


def as_decimal(value, field: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvoiceCheckError(gettext("%(field)s: not a number", field=field),
                                field=field) from None
    if not result.is_finite():
        raise InvoiceCheckError(gettext("%(field)s: not a number", field=field), field=field)
    return result


def _places(order: SalesOrder) -> int:
    return order.currency.decimal_places


def _check_order(order: SalesOrder) -> None:
    if order.state != CONFIRMED:
        raise InvoiceStateError(gettext("%(number)s is not a confirmed order: only confirmed "
                                        "orders are invoiced", number=order.number))


def new_draft(order: SalesOrder, kind: str) -> Invoice:
    """An empty draft with the order's customer, currency, owner and team."""
    return Invoice(kind=kind, series=SERIES[kind], order=order, company_id=order.company_id,
                   person_id=order.person_id, owner_id=order.owner_id, team_id=order.team_id,
                   currency_id=order.currency_id, created_at=datetime.utcnow(),
                   created_by_id=current_actor().user_id)


def _amounts_of(line) -> Amounts:
    return Amounts(Decimal(line.amount_untaxed), Decimal(line.amount_tax),
                   Decimal(line.amount_total))


def _minus(a: Amounts, b: Amounts) -> Amounts:
    return Amounts(a.untaxed - b.untaxed, a.tax - b.tax, a.total - b.total)


def _order_line_part(order_line, quantity: Decimal, left_quantity: Decimal,
                     left: Amounts, places: int) -> InvoiceLine:
    if quantity == left_quantity:
        amounts = left  # completes the line: exactly what is left, to the cent
    else:
        amounts = line_amounts(Decimal(order_line.unit_price), quantity,
                               Decimal(order_line.discount), Decimal(order_line.tax_rate),
                               order_line.price_include, places)
    return InvoiceLine(
        order_line_id=order_line.id, sequence=order_line.sequence,
        description=order_line.description or str(order_line.product.name),
        quantity=quantity, unit_price=order_line.unit_price, discount=order_line.discount,
        tax_name=order_line.tax.name if order_line.tax is not None else None,
        tax_rate=order_line.tax_rate, price_include=order_line.price_include,
        amount_untaxed=amounts.untaxed, amount_tax=amounts.tax, amount_total=amounts.total)


def _lines_for(session: Session, order: SalesOrder, quantities: dict | None) -> list:
    balances = invoiced_amounts.line_balances(session, order)
    by_id = {line.id: line for line in order.lines}
    if quantities is not None:
        unknown = [k for k in quantities if k not in by_id]
        if unknown:
            raise InvoiceCheckError(gettext("line %(id)s is not a line of %(number)s",
                                            id=unknown[0], number=order.number), field="lines")
    places, lines = _places(order), []
    for order_line in order.lines:
        done = balances[order_line.id]
        left_qty = Decimal(order_line.quantity) - done.quantity
        left = _minus(_amounts_of(order_line), done.amounts)
        if quantities is None:
            quantity = left_qty
            if quantity <= 0:
                continue
        else:
            if order_line.id not in quantities:
                continue
            quantity = as_decimal(quantities[order_line.id], "quantity")
            if quantity <= 0:
                raise InvoiceCheckError(gettext("%(line)s: the quantity must be more than 0",
                                                line=str(order_line.product.name)),
                                        field="quantity")
            if quantity > left_qty:
                raise InvoiceCheckError(gettext(
                    "%(line)s: %(asked)s asked, only %(left)s left to invoice",
                    line=str(order_line.product.name), asked=quantity.normalize(),
                    left=left_qty.normalize()), field="quantity")
        lines.append(_order_line_part(order_line, quantity, left_qty, left, places))
    return lines


def check_within_order(session: Session, order: SalesOrder, invoice: Invoice,
                       states=invoiced_amounts.LIVE) -> None:
    """The order's invoices, with this one, may not pass the order's total."""
    before = invoiced_amounts.order_invoiced_total(session, order, states,
                                                   exclude_invoice_id=invoice.id)
    after = before + invoice.sign * Decimal(invoice.amount_total)
    if after > Decimal(order.amount_total):
        over = round_money(after - Decimal(order.amount_total), _places(order))
        raise InvoiceCheckError(gettext(
            "%(number)s: this would invoice %(over)s %(currency)s more than the order's total "
            "(open down payments are deducted by the final invoice)",
            number=order.number, over=over, currency=order.currency.code), field="amount")


def _add(session: Session, order: SalesOrder, invoice: Invoice, lines: list) -> Invoice:
    if not lines:
        raise InvoiceCheckError(gettext("%(number)s: nothing left to invoice",
                                        number=order.number), field="lines")
    invoice.lines = lines
    recompute(session, invoice)
    if invoice.amount_total < 0:
        raise InvoiceCheckError(gettext("%(number)s: the down payments are more than what is "
                                        "left to invoice", number=order.number),
                                field="amount")
    check_within_order(session, order, invoice)
    session.add(invoice)
    session.flush()
    record_event(session, "draft", "Invoice", invoice.id,
                 {"order": order.number, "kind": invoice.kind,
                  "amount_total": str(invoice.amount_total)})
    return invoice


def _deductions(session: Session, order: SalesOrder) -> list[InvoiceLine]:
    lines = []
    for dp_line, left in invoiced_amounts.open_down_payments(session, order):
        dp = dp_line.invoice
        lines.append(InvoiceLine(
            sequence=1000 + len(lines), deducted_line_id=dp_line.id,
            description=gettext("Down payment %(number)s deducted", number=dp.number)
            + (f" ({dp_line.tax_name})" if dp_line.tax_name else ""),
            quantity=Decimal(-1), unit_price=left.total, discount=Decimal(0),
            tax_name=dp_line.tax_name, tax_rate=dp_line.tax_rate, price_include=True,
            amount_untaxed=-left.untaxed, amount_tax=-left.tax, amount_total=-left.total))
    return lines


def invoice_order(session: Session, order: SalesOrder,
                  quantities: dict[int, object] | None = None) -> Invoice:
    """A draft invoice of `order`'s lines left to invoice (all, or those given)."""
    _check_order(order)
    lines = _lines_for(session, order, quantities)
    if quantities is None or _completes(session, order, lines):
        lines += _deductions(session, order)
    return _add(session, order, new_draft(order, INVOICE), lines)


def _completes(session: Session, order: SalesOrder, lines: list[InvoiceLine]) -> bool:
    balances = invoiced_amounts.line_balances(session, order)
    asked = {line.order_line_id: Decimal(line.quantity) for line in lines}
    return all(Decimal(ol.quantity) - balances[ol.id].quantity - asked.get(ol.id, 0) == 0
               for ol in order.lines)


def final_invoice(session: Session, order: SalesOrder) -> Invoice:
    """Everything left to invoice, less the issued down payments not yet deducted."""
    return invoice_order(session, order, None)


def down_payment(session: Session, order: SalesOrder, percent=None, amount=None) -> Invoice:
    """A down payment invoice of `percent` of the order's total or of `amount`
    (tax included), one tax-included line per tax rate of the order."""
    _check_order(order)
    places = _places(order)
    if (percent is None) == (amount is None):
        raise InvoiceCheckError(gettext("give a percent or an amount"), field="amount")
    if percent is not None:
        percent = as_decimal(percent, "percent")
        if not 0 < percent <= 100:
            raise InvoiceCheckError(gettext("the percent must be more than 0 and at most 100"),
                                    field="percent")
        amount = percent_of(Decimal(order.amount_total), percent, places)
    else:
        amount = round_money(as_decimal(amount, "amount"), places)
    if amount <= 0:
        raise InvoiceCheckError(gettext("the down payment must be more than 0"),
                                field="amount")
    groups: dict[tuple, Decimal] = {}
    names: dict[tuple, str | None] = {}
    for line in order.lines:
        key = (Decimal(line.tax_rate), bool(line.price_include))
        groups[key] = groups.get(key, Decimal(0)) + Decimal(line.amount_total)
        names.setdefault(key, line.tax.name if line.tax is not None else None)
    lines = []
    label = gettext("Down payment on %(number)s", number=order.number)
    for (rate, _incl), share in split_by_tax(amount, list(groups.items()), places):
        if share == 0:
            continue
        amounts = line_amounts(share, Decimal(1), Decimal(0), rate, True, places)
        lines.append(InvoiceLine(
            sequence=10 * (len(lines) + 1), description=label, quantity=Decimal(1),
            unit_price=share, discount=Decimal(0), tax_name=names[(rate, _incl)],
            tax_rate=rate, price_include=True, amount_untaxed=amounts.untaxed,
            amount_tax=amounts.tax, amount_total=amounts.total))
    return _add(session, order, new_draft(order, DOWN_PAYMENT), lines)
