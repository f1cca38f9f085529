"""Writing a quotation from plain data (a REST body, the line editor): the
header fields and the lines, checked the same way on every path. Related rows
are loaded through ORM selects, so the record rules decide what may be named;
an unknown or unreadable id is a field error, never a new row.

Raises OrderInputError(field, message, line_no); writes nothing itself until
the caller flushes. State, number and amounts are never taken from input.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company, Person
from core.security.teams import Team
from core.user_time import today

from ...models import Currency, Lead, PriceList, Product, Tax
from ...models.sales_order import SalesOrder, SalesOrderLine
from ..catalog.currency_rates import MissingRate
from ..catalog.pricing import PricingError
from .order_lines import LineError, as_decimal, check_line, check_quantity, default_unit_price
from .order_lock import refuse_if_locked

READ_ONLY = ("id", "number", "state", "amount_untaxed", "amount_tax", "amount_total",
             "confirmed_at", "confirmed_by_id", "cancelled_at", "cancelled_by_id",
             "cancel_reason", "erp", "version", "sent_at", "created_at")
HEADER = ("company_id", "person_id", "lead_id", "owner_id", "team_id", "currency_id",
          "price_list_id", "order_date", "validity_date", "note")
LINE_FIELDS = ("product_id", "quantity", "unit_price", "discount", "description", "tax_id",
               "sequence")
RELATED = {"company_id": (Company, "company"), "person_id": (Person, "person"),
           "lead_id": (Lead, "lead"), "team_id": (Team, "team"),
           "currency_id": (Currency, "currency"), "price_list_id": (PriceList, "price_list")}
MAX_INT = 2**31 - 1  # ids and sequences are INTEGER columns (PostgreSQL: 32 bits)
MAX_AMOUNT = Decimal(10) ** 14  # what a Numeric(18, 4) quantity, price or amount holds


class OrderInputError(ValueError):
    def __init__(self, field: str, message: str, line_no: int | None = None):
        self.field, self.message, self.line_no = field, message, line_no
        where = f"lines[{line_no}].{field}" if line_no is not None else field
        super().__init__(f"{where}: {message}")


def _row(session: Session, model, value, field: str, line_no=None):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderInputError(field, f"must be an integer id ({value!r} given)", line_no)
    # an id no row can have would reach the database as an out-of-range parameter
    row = session.scalars(select(model).where(model.id == value)).first() if (
        0 < value <= MAX_INT) else None
    if row is None:
        raise OrderInputError(field, f"no {model.__name__} #{value}, or you may not see it",
                              line_no)
    return row


def _date(value, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise OrderInputError(field, f"'{value}' is not a date (YYYY-MM-DD)") from None


def apply_header(session: Session, order: SalesOrder, data: dict) -> None:
    """Set the header fields present in `data` (a PUT changes what it sends)."""
    for key in data:
        if key in READ_ONLY:
            raise OrderInputError(key, "is read-only (states change through the send, "
                                  "confirm and cancel actions)")
        if key not in HEADER and key != "lines":
            raise OrderInputError(key, "unknown field")
    if order.id is not None:
        refuse_if_locked(order)
    for key, (model, relation) in RELATED.items():
        if key in data:
            setattr(order, relation, _row(session, model, data[key], key))
    if "owner_id" in data:  # a user that exists (a foreign key the database would refuse)
        order.owner = _row(session, User, data["owner_id"], "owner_id")
    for key in ("order_date", "validity_date"):
        if key in data:
            setattr(order, key, _date(data[key], key))
    if "note" in data:
        if data["note"] is not None and not isinstance(data["note"], str):
            raise OrderInputError("note", "must be text")
        order.note = data["note"]
    if order.currency is None and order.currency_id is None:
        raise OrderInputError("currency_id", gettext("a currency is required"))
    if order.order_date is None:
        order.order_date = today()
    if order.validity_date and order.validity_date < order.order_date:
        raise OrderInputError("validity_date", gettext("is before the order date"))


def line_from(session: Session, order: SalesOrder, item, line_no: int,
              line: SalesOrderLine | None = None) -> SalesOrderLine:
    """A new (or the given) line filled from `item`; unit price defaults to
    the customer's price for the product (services/catalog/pricing.py)."""
    if not isinstance(item, dict):
        raise OrderInputError("lines", "each line must be an object", line_no)
    unknown = [k for k in item if k not in LINE_FIELDS and k not in (
        "id", "amount_untaxed", "amount_tax", "amount_total", "price_include", "tax_rate")]
    if unknown:
        raise OrderInputError(unknown[0], "unknown field", line_no)
    try:
        if line is None or "product_id" in item:
            product = _row(session, Product, item.get("product_id"), "product_id", line_no)
            if product is None:
                raise OrderInputError("product_id", gettext("a product is required"), line_no)
        else:
            product = line.product
        quantity = as_decimal(item.get("quantity", line.quantity if line else 1), line_no,
                              "quantity")
        discount = as_decimal(item.get("discount", line.discount if line else 0) or 0,
                              line_no, "discount")
        check_quantity(product, quantity, line_no)  # before pricing, which refuses it too
        price = item.get("unit_price")
        if price is None:
            price = line.unit_price if line is not None and "product_id" not in item else (
                default_unit_price(session, order, product, quantity))
        price = as_decimal(price, line_no, "unit_price")
    except LineError as exc:
        raise OrderInputError(exc.field, exc.message, line_no) from None
    except (PricingError, MissingRate) as exc:
        raise OrderInputError("product_id", str(exc), line_no) from None
    tax = (_row(session, Tax, item["tax_id"], "tax_id", line_no) if "tax_id" in item
           else (line.tax if line is not None and "product_id" not in item else product.tax))
    if line is None:
        line = SalesOrderLine()
    line.product, line.quantity, line.unit_price, line.discount, line.tax = (
        product, quantity, price, discount, tax)
    if "description" in item or line.description is None:
        line.description = item.get("description") or product.name
    if "sequence" in item:
        if (isinstance(item["sequence"], bool) or not isinstance(item["sequence"], int)
                or abs(item["sequence"]) > MAX_INT):
            raise OrderInputError("sequence", "must be an integer (32 bits)", line_no)
        line.sequence = item["sequence"]
    elif line.sequence is None:
        line.sequence = 10 * line_no
    try:
        check_line(line, line_no)
    except LineError as exc:
        raise OrderInputError(exc.field, exc.message, line_no) from None
    return line


def replace_lines(session: Session, order: SalesOrder, items) -> None:
    """The order's lines become `items` (a list of line objects, 1-based in errors)."""
    if not isinstance(items, list):
        raise OrderInputError("lines", "must be a list of line objects")
    refuse_if_locked(order) if order.id is not None else None
    new = [line_from(session, order, item, n) for n, item in enumerate(items, start=1)]
    check_amounts_fit(new)
    order.lines[:] = new


def check_amounts_fit(lines) -> None:
    """Quantities, prices, line amounts (tax included) and the order's total stay
    within what the amount columns hold: PostgreSQL refuses more (a DataError)."""
    total = Decimal(0)
    for n, line in enumerate(lines, start=1):
        for field in ("quantity", "unit_price"):
            if abs(getattr(line, field)) >= MAX_AMOUNT:
                raise OrderInputError(field, gettext("must be less than %(max)s",
                                                    max=f"{MAX_AMOUNT:,}"), n)
        rate = max(Decimal(line.tax.rate if line.tax is not None else 0), Decimal(0))
        amount = abs(line.quantity * line.unit_price) * (1 + rate / 100)
        if amount >= MAX_AMOUNT:
            raise OrderInputError("unit_price", gettext(
                "the line amount must be less than %(max)s", max=f"{MAX_AMOUNT:,}"), n)
        total += amount
    if total >= MAX_AMOUNT:
        raise OrderInputError("lines", gettext("the order total must be less than %(max)s",
                                               max=f"{MAX_AMOUNT:,}"))


def edit_lines(session: Session, order: SalesOrder, changes: dict[int, dict],
               removed: set[int], added: list[dict]) -> None:
    """The line editor's form: change lines by id, remove some, append new
    ones. Line numbers in errors are the lines' positions on the page."""
    refuse_if_locked(order)
    by_id = {line.id: line for line in order.lines}
    unknown = (set(changes) | removed) - set(by_id)
    if unknown:
        raise OrderInputError("lines", gettext("no line #%(n)s on %(number)s",
                                               n=min(unknown), number=order.number))
    for n, line in enumerate(list(order.lines), start=1):
        if line.id in removed:
            order.lines.remove(line)
        elif line.id in changes:
            line_from(session, order, changes[line.id], n, line=line)
    first_new = len(order.lines) + 1
    for n, item in enumerate(added, start=first_new):
        item.setdefault("sequence", max((ln.sequence for ln in order.lines), default=0) + 10)
        order.lines.append(line_from(session, order, item, n))
    check_amounts_fit(order.lines)
