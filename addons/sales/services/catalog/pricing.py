"""The unit price of a product for a customer, a quantity, a currency and a day.

Most specific first:
1. an active price list of the customer company (a person's company counts),
2. an active price list of the customer's tier (the company's tier; a person
   without a company: the person's tier),
3. the product's list price.
Within a list, the item of the product with the largest `min_quantity` <=
quantity applies (quantity breaks). A list without such an item is skipped,
so the next level answers. Several active lists on one level: a list in the
order currency first, then the oldest (lowest id).

The price is converted from the list's (or product's) currency into the
order currency with the rates of `day` and kept to 4 decimals (never rounded
to cents before the quantity multiplies it). A missing rate raises
MissingRate naming the currency and the day; an archived product raises
ArchivedProduct. Archived price lists are never used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ...models import Currency, PriceList, PriceListItem, Product
from .currency_rates import MissingRate, convert_price

__all__ = ["ArchivedProduct", "MissingRate", "PricingError", "Quote", "unit_price",
           "CUSTOMER_LIST", "TIER_LIST", "LIST_PRICE"]

CUSTOMER_LIST, TIER_LIST, LIST_PRICE = "customer_price_list", "tier_price_list", "list_price"


class PricingError(ValueError):
    """A product cannot be priced; the message says which and why."""


class ArchivedProduct(PricingError):
    """The product is archived: it is no longer sold."""


@dataclass(frozen=True)
class Quote:
    """A unit price and where it came from (what an order line shows)."""

    unit_price: Decimal           # in `currency`, 4 decimals
    currency: Currency            # the order currency
    rule: str                     # CUSTOMER_LIST, TIER_LIST or LIST_PRICE
    source_price: Decimal         # as stored, in `source_currency`
    source_currency: Currency
    price_list: PriceList | None = None
    item: PriceListItem | None = None

    @property
    def min_quantity(self) -> Decimal | None:
        """The quantity break that applied (None for the list price)."""
        return self.item.min_quantity if self.item is not None else None

    def describe(self) -> str:
        """Plain words for a line or a log: 'price list ACME (from 10)' / 'list price'."""
        if self.price_list is None:
            text = "list price"
        else:
            text = f"price list {self.price_list.name}"
            if self.min_quantity:
                text += f" (from {self.min_quantity.normalize():f})"
        if self.source_currency.id != self.currency.id:
            text += (f", converted from {self.source_price.normalize():f} "
                     f"{self.source_currency.code}")
        return text

    def as_dict(self) -> dict:
        """JSON-ready (Decimals as strings, so no float creeps in)."""
        return {
            "unit_price": f"{self.unit_price:f}",
            "currency": self.currency.code,
            "rule": self.rule,
            "price_list": ({"id": self.price_list.id, "name": self.price_list.name}
                           if self.price_list is not None else None),
            "price_list_item_id": self.item.id if self.item is not None else None,
            "min_quantity": f"{self.min_quantity:f}" if self.min_quantity is not None else None,
            "source_price": f"{self.source_price:f}",
            "source_currency": self.source_currency.code,
            "description": self.describe(),
        }


def unit_price(session: Session, product: Product, quantity: Decimal, currency: Currency,
               day: date, company=None, person=None) -> Quote:
    """The Quote for `quantity` of `product` sold in `currency` on `day` to
    `company` (or `person`, whose company counts); see the module docstring."""
    if not isinstance(quantity, Decimal):
        raise TypeError(f"quantity must be a Decimal, not {type(quantity).__name__}")
    if quantity < 0:
        raise PricingError(gettext("product %(product)s: quantity %(quantity)s is negative",
                                   product=product, quantity=quantity))
    if not product.active:
        raise ArchivedProduct(gettext("product %(product)s is archived and cannot be priced "
                                        "or sold", product=product))
    if company is None and person is not None:
        company = person.company
    tier_id = company.tier_id if company is not None else (
        person.tier_id if person is not None else None)
    for rule, where in ((CUSTOMER_LIST, company is not None and PriceList.company_id == company.id),
                        (TIER_LIST, tier_id is not None and (
                            (PriceList.tier_id == tier_id) & PriceList.company_id.is_(None)))):
        if where is False:
            continue
        item = _best_item(session, product, quantity, currency, where)
        if item is not None:
            source = item.price_list.currency
            return Quote(convert_price(session, item.unit_price, source, currency, day),
                         currency, rule, item.unit_price, source, item.price_list, item)
    return Quote(convert_price(session, product.list_price, product.currency, currency, day),
                 currency, LIST_PRICE, product.list_price, product.currency)


def _best_item(session: Session, product: Product, quantity: Decimal, currency: Currency,
               where) -> PriceListItem | None:
    """The applicable item of the preferred active list matching `where`."""
    in_order_currency = case((PriceList.currency_id == currency.id, 0), else_=1)
    return session.scalars(
        select(PriceListItem).join(PriceList, PriceListItem.price_list_id == PriceList.id)
        .where(where, PriceList.active, PriceListItem.product_id == product.id,
               PriceListItem.min_quantity <= quantity)
        .order_by(in_order_currency, PriceList.id, PriceListItem.min_quantity.desc())
        .limit(1)).first()
