"""Lines of a quotation: what a new line starts with, and what makes a line
wrong. One place for both, used by the line editor, the REST API and the
confirmation (which re-checks every line before anything changes)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Product, Tax
from ...models.sales_order import SalesOrder, SalesOrderLine
from ..catalog.pricing import unit_price

HUNDRED = Decimal(100)


# a line's fields as the refusal names them, in the reader's language (the
# English stays the field's name: REST clients read it)
_FIELD_WORDS = {"product": _l("product"), "quantity": _l("quantity"),
                "unit_price": _l("unit_price"), "discount": _l("discount")}


class LineError(ValueError):
    """A line that cannot be stored or confirmed: which line, which field, why."""

    def __init__(self, line_no: int | None, field: str, message: str):
        self.line_no, self.field, self.message = line_no, field, message
        where = gettext("line %(n)s: ", n=line_no) if line_no is not None else ""
        super().__init__(f"{where}{_FIELD_WORDS.get(field, field)}: {message}")


def as_decimal(value, line_no: int | None, field: str) -> Decimal:
    """A Decimal from a form/JSON value (strings or integers; floats refused: money)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise LineError(line_no, field, "give a decimal number as a string, e.g. \"12.50\"")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise LineError(line_no, field, gettext("'%(value)s' is not a number",
                                                value=value)) from None
    if not number.is_finite():
        raise LineError(line_no, field, gettext("'%(value)s' is not a number", value=value))
    return number


def default_unit_price(session: Session, order: SalesOrder, product: Product,
                       quantity: Decimal) -> Decimal:
    """The price a new line starts with: the customer's price list, the tier's,
    or the list price, converted into the order currency (services/catalog/pricing.py)."""
    return unit_price(session, product, quantity, order.currency, order.order_date,
                      company=order.company, person=order.person).unit_price


def new_line(session: Session, order: SalesOrder, product: Product, quantity: Decimal,
             *, unit_price_: Decimal | None = None, discount: Decimal = Decimal(0),
             description: str | None = None, tax: Tax | None = None,
             tax_given: bool = False, sequence: int | None = None) -> SalesOrderLine:
    """A line for `order` with the product's defaults for what is not given."""
    if unit_price_ is None:
        unit_price_ = default_unit_price(session, order, product, quantity)
    line = SalesOrderLine(product=product, quantity=quantity, unit_price=unit_price_,
                          discount=discount, description=description or product.name,
                          tax=tax if tax_given else product.tax,
                          sequence=sequence if sequence is not None else 10 * (len(order.lines) + 1))
    order.lines.append(line)
    return line


def check_quantity(product: Product, quantity, line_no: int) -> None:
    if quantity is None or Decimal(quantity) <= 0:
        raise LineError(line_no, "quantity", gettext(
            "%(product)s: quantity must be more than 0 (%(given)s given)",
            product=product, given=quantity))


def check_line(line: SalesOrderLine, line_no: int) -> None:
    """Refuse a line that cannot be sold: names the line, the field and why."""
    product = line.product
    if product is None:
        raise LineError(line_no, "product", gettext("a product is required"))
    name = f"{product}"
    if not product.active:
        raise LineError(line_no, "product", gettext("product %(product)s is archived",
                                                     product=name))
    check_quantity(product, line.quantity, line_no)
    if line.unit_price is None or Decimal(line.unit_price) < 0:
        raise LineError(line_no, "unit_price", gettext(
            "%(product)s: the unit price may not be negative (%(given)s given)",
            product=name, given=line.unit_price))
    discount = Decimal(line.discount or 0)
    if not (0 <= discount <= HUNDRED):
        raise LineError(line_no, "discount", gettext(
            "%(product)s: the discount must be between 0 and 100 percent (%(given)s given)",
            product=name, given=discount))
