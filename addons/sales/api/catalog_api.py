"""REST for the catalog: /api/v1/product/, tax/, currency/ (+ currency_rate/),
price_list/ (+ price_list_item/) and GET /api/v1/pricing/quote.

Bad values answer 422 naming the field (rules/catalog_values.py,
services/catalog/record_checks.py), nothing
stored. Products and taxes are archived (`"active": false`), never deleted.
The base currency changes only by `POST /api/v1/currency/<pk>/make_base`,
refused (409) while exchange rates exist. Decimals are answered as strings
("100.0000"), and may be sent as strings or numbers.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import ValidationError
from sqlalchemy import select

from addons.contacts.models import Company, Person
from core.api import CrossdockModelRestApi
from core.db import db
from core.user_time import today

from ..models import Currency, CurrencyRate, PriceList, PriceListItem, Product, Tax
from ..rules import catalog_values as values
from ..rules.catalog_values import CatalogFieldError
from ..services.catalog import record_checks as checks
from ..services.catalog.base_currency import set_base_currency
from ..services.catalog.pricing import MissingRate, PricingError, unit_price


def _schema_check(check):
    """A marshmallow validator over a catalog check (a 422 before any row is built)."""
    def validator(value):
        try:
            check(value)
        except CatalogFieldError as exc:
            raise ValidationError(exc.message) from None
    return validator


class CatalogApi(CrossdockModelRestApi):
    """What the catalog APIs share: checks before saving, answered as a 422."""

    exclude_route_methods = {"delete"}  # archive instead (or, for rates/items: see below)

    def check(self, item) -> None:
        """Cross-field and database checks of `item` before it is saved."""

    def pre_add(self, item):
        self.check(item)

    def pre_update(self, item):
        self.check(item)

    def _field_error(self, exc: CatalogFieldError):
        db.session.rollback()
        return self.response_422(message={exc.field: [exc.message]})

    def post_headless(self):
        try:
            return super().post_headless()
        except CatalogFieldError as exc:  # a model's @validates, or check()
            return self._field_error(exc)

    def put_headless(self, pk):
        try:
            return super().put_headless(pk)
        except CatalogFieldError as exc:
            return self._field_error(exc)


class ProductApi(CatalogApi):
    resource_name = "product"
    datamodel = SQLAInterface(Product)
    openapi_spec_tag = "Sales catalog"
    base_order = ("code", "asc")
    list_columns = ["id", "code", "name", "unit", "list_price", "currency.id", "currency.code",
                    "tax.id", "tax.name", "active"]
    show_columns = [*list_columns, "description"]
    add_columns = edit_columns = ["code", "name", "description", "unit", "list_price",
                                  "currency", "tax", "active"]
    search_columns = ["code", "name", "currency", "tax", "active"]
    validators_columns = {"list_price": _schema_check(values.check_price)}

    def check(self, item):
        checks.check_product_code_free(db.session, item.code, item.id)


class TaxApi(CatalogApi):
    resource_name = "tax"
    datamodel = SQLAInterface(Tax)
    openapi_spec_tag = "Sales catalog"
    base_order = ("name", "asc")
    list_columns = show_columns = ["id", "name", "rate", "price_include", "active"]
    add_columns = edit_columns = ["name", "rate", "price_include", "active"]
    search_columns = ["name", "price_include", "active"]
    validators_columns = {"rate": _schema_check(values.check_tax_rate)}


class CurrencyApi(CatalogApi):
    resource_name = "currency"
    datamodel = SQLAInterface(Currency)
    openapi_spec_tag = "Sales catalog"
    base_order = ("code", "asc")
    list_columns = ["id", "code", "name", "symbol", "decimal_places", "is_base", "active"]
    show_columns = [*list_columns, "rates.id", "rates.effective_date", "rates.rate"]
    add_columns = edit_columns = ["code", "name", "symbol", "decimal_places", "active"]
    search_columns = ["code", "name", "is_base", "active"]

    def check(self, item):
        if not (isinstance(item.code, str) and len(item.code) == 3 and item.code.isalpha()
                and item.code.isupper() and item.code.isascii()):
            raise CatalogFieldError("code", "an ISO 4217 code: three capital letters, e.g. USD")
        if not 0 <= (item.decimal_places if item.decimal_places is not None else 2) <= 6:
            raise CatalogFieldError("decimal_places", "from 0 to 6")

    @expose("/<int:pk>/make_base", methods=["POST"])
    @protect()
    @permission_name("make_base")
    def make_base(self, pk):
        """Make this currency the base currency.
        ---
        post:
          summary: Make this currency the base (refused while exchange rates exist)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: The currency is the base currency}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: Refused, the message says why}
        """
        currency = self.item_or_none(pk)
        if currency is None:
            return self.response_404()
        try:
            set_base_currency(db.session, currency)
            db.session.commit()
        except CatalogFieldError as exc:
            db.session.rollback()
            return self.response(409, message=exc.message)
        return self.response(200, result={"id": currency.id, "code": currency.code,
                                          "is_base": True})


class CurrencyRateApi(CatalogApi):
    """Rates may be deleted (a mistyped rate), by Finance."""

    resource_name = "currency_rate"
    datamodel = SQLAInterface(CurrencyRate)
    openapi_spec_tag = "Sales catalog"
    exclude_route_methods = set()
    base_order = ("effective_date", "desc")
    list_columns = show_columns = ["id", "currency.id", "currency.code", "effective_date",
                                   "rate"]
    add_columns = edit_columns = ["currency", "effective_date", "rate"]
    search_columns = ["currency", "effective_date"]
    validators_columns = {"rate": _schema_check(values.check_exchange_rate)}

    def check(self, item):
        values.check_rate_currency(item.currency)
        checks.check_rate_day_free(db.session, item.currency.id if item.currency else None,
                                   item.effective_date, item.id)


class PriceListApi(CatalogApi):
    resource_name = "price_list"
    datamodel = SQLAInterface(PriceList)
    openapi_spec_tag = "Sales catalog"
    exclude_route_methods = set()
    base_order = ("name", "asc")
    list_columns = ["id", "name", "currency.id", "currency.code", "company.id", "company.name",
                    "tier.id", "tier.name", "active"]
    # items (product, break, price): GET /api/v1/price_list_item/ filtered on price_list
    show_columns = [*list_columns, "items.id", "items.min_quantity", "items.unit_price"]
    add_columns = edit_columns = ["name", "currency", "company", "tier", "active"]
    search_columns = ["name", "currency", "company", "tier", "active"]

    def check(self, item):
        checks.check_price_list(item)


class PriceListItemApi(CatalogApi):
    resource_name = "price_list_item"
    datamodel = SQLAInterface(PriceListItem)
    openapi_spec_tag = "Sales catalog"
    exclude_route_methods = set()
    base_order = ("min_quantity", "asc")
    list_columns = show_columns = ["id", "price_list.id", "price_list.name", "product.id",
                                   "product.code", "min_quantity", "unit_price"]
    add_columns = edit_columns = ["price_list", "product", "min_quantity", "unit_price"]
    search_columns = ["price_list", "product"]
    validators_columns = {"unit_price": _schema_check(values.check_price),
                          "min_quantity": _schema_check(values.check_min_quantity)}

    def check(self, item):
        if item.product is not None and not item.product.active:
            raise CatalogFieldError("product", f"product {item.product} is archived")
        checks.check_break_free(db.session, item.price_list.id if item.price_list else None,
                                item.product.id if item.product else None, item.min_quantity,
                                item.id)


class BadQuery(ValueError):
    pass


def _arg_int(name: str, required: bool = False) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        if required:
            raise BadQuery(f"{name} is required")
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name}: '{raw}' is not an id") from None
    if not 0 < value < 2**31:
        raise BadQuery(f"{name}: no such record")
    return value


def _one(model, pk: int, name: str):
    # an ORM select: the record rules decide what the caller may price for
    row = db.session.scalars(select(model).where(model.id == pk)).first()
    if row is None:
        raise BadQuery(f"{name}: no {model.__name__.lower()} #{pk}, or you may not see it")
    return row


class PricingApi(BaseApi):
    resource_name = "pricing"
    datamodel = SQLAInterface(Product)  # reading prices is reading products (access.csv)
    openapi_spec_tag = "Sales catalog"
    openapi_spec_component_schemas = ()
    apispec_parameter_schemas = {}

    @expose("/quote", methods=["GET"])
    @protect()
    @permission_name("get")
    def quote(self):
        """The unit price of a product for a customer, a quantity and a day.
        ---
        get:
          summary: Unit price and the rule that gave it (customer list, tier list, list price)
          parameters:
          - {in: query, name: product_id, required: true, schema: {type: integer}}
          - {in: query, name: quantity, schema: {type: string, default: "1"}}
          - {in: query, name: currency, schema: {type: string},
             description: "ISO code of the order currency; default: the product's"}
          - {in: query, name: company_id, schema: {type: integer}}
          - {in: query, name: person_id, schema: {type: integer},
             description: "a person's company counts as the customer"}
          - {in: query, name: day, schema: {type: string, format: date},
             description: "the rates of this day; default: today"}
          responses:
            200:
              description: The quote (decimals as strings)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
                        properties:
                          unit_price: {type: string}
                          currency: {type: string}
                          rule:
                            type: string
                            enum: [customer_price_list, tier_price_list, list_price]
                          price_list: {type: object, nullable: true}
                          min_quantity: {type: string, nullable: true}
                          source_price: {type: string}
                          source_currency: {type: string}
                          description: {type: string}
            400:
              description: Bad parameter, archived product or missing exchange rate
              content:
                application/json:
                  schema:
                    type: object
                    properties: {message: {type: string}}
            401: {description: Not logged in}
        """
        try:
            product = _one(Product, _arg_int("product_id", required=True), "product_id")
            raw = request.args.get("quantity", "1").strip()
            try:
                quantity = Decimal(raw)
            except InvalidOperation:
                raise BadQuery(f"quantity: '{raw}' is not a number") from None
            if not quantity.is_finite():
                raise BadQuery(f"quantity: '{raw}' is not a number")
            code = request.args.get("currency", "").strip().upper()
            if code:
                currency = db.session.scalar(select(Currency).where(Currency.code == code,
                                                                    Currency.active))
                if currency is None:
                    raise BadQuery(f"currency: no active currency '{code}'")
            else:
                currency = product.currency
            company_id, person_id = _arg_int("company_id"), _arg_int("person_id")
            company = _one(Company, company_id, "company_id") if company_id else None
            person = _one(Person, person_id, "person_id") if person_id else None
            raw_day = request.args.get("day", "").strip()
            try:
                day = dt.date.fromisoformat(raw_day) if raw_day else today()
            except ValueError:
                raise BadQuery(f"day: '{raw_day}' is not an ISO date (YYYY-MM-DD)") from None
            quote = unit_price(db.session, product, quantity, currency, day,
                               company=company, person=person)
        except (BadQuery, PricingError, MissingRate) as exc:
            return self.response_400(message=str(exc))
        return self.response(200, result={**quote.as_dict(), "product_id": product.id,
                                          "quantity": f"{quantity:f}", "day": day.isoformat()})
