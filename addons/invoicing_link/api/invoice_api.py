"""REST for invoices: `/api/v1/invoice/`.

Read (list, show with lines) for every role that reads invoices; a draft is
made from a confirmed order with `POST /` `{"order_id": 7, "mode": "order"}`
(modes: "order" everything left (the final invoice when down payments are
open), "lines" with `"lines": [{"order_line_id": 3, "quantity": "2"}]`,
"down_payment" with `"percent"` or `"amount"`); `POST /<pk>/issue` numbers
and issues a draft; `POST /<pk>/credit` makes a draft credit note of the
whole invoice or of `{"lines": [{"invoice_line_id": 5, "quantity": "1"}]}`.
`DELETE /<pk>` deletes a draft. `GET /balance/<company_id>` says what the
company owes, by age, in the base currency (of the invoices the caller reads). No PUT: amounts and lines come from the
services. Refusals: 400 naming the field, 409 for a state that does not allow
it (an issued invoice, an order not confirmed), 404 for a row the caller may
not see.
"""
from __future__ import annotations

import json
from decimal import Decimal

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields
from sqlalchemy import select

from addons.contacts.models import Company
from addons.sales.models import SalesOrder
from addons.sales.services.catalog.currency_rates import MissingRate
from addons.sales.services.orders.order_states import OrderCheckError, OrderStateError
from core.api import CrossdockModelRestApi
from core.api.fields import TextDecimal, UtcDateTime
from core.db import is_row_id
from core.security.record_rules import AccessDenied
from core.views.capped_count import CappedCountInterface

from ..models.invoice import Invoice
from ..services.credit.credit_check import company_standing, release, standing_json
from ..services.credit.holds import quotation_past_rules
from ..services.debts.balance import company_balance
from ..services.debts.payment_history import as_json as payment_json, recent_payments
from ..services.invoices import credit_note, draft_from_order, issue_invoice
from ..services.invoices.invoice_errors import InvoiceCheckError, InvoiceStateError
from ..services.invoices.invoice_lock import refuse_if_locked

LIST = ["id", "number", "kind", "origin", "state", "order_id", "company_id", "person_id",
        "credited_invoice_id", "owner_id", "team_id", "currency_id", "invoice_date",
        "due_date", "amount_untaxed", "amount_tax", "amount_total", "payment_state",
        "amount_paid", "amount_residual"]
LINE_COLUMNS = ("id", "sequence", "order_line_id", "credited_line_id", "deducted_line_id",
                "description", "quantity", "unit_price", "discount", "tax_name", "tax_rate",
                "price_include", "amount_untaxed", "amount_tax", "amount_total")
DECIMALS = {"quantity", "unit_price", "discount", "tax_rate", "amount_untaxed", "amount_tax",
            "amount_total"}


class InvoiceRead(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": ["invoice", "down_payment", "credit_note"]})
    origin = fields.String(metadata={"enum": ["crossdock", "erp"]})
    state = fields.String(metadata={"enum": ["draft", "issued", "cancelled"]})
    order_id = fields.Integer()
    company_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    credited_invoice_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    currency_id = fields.Integer()
    currency = fields.Function(lambda o: o.currency.code if o.currency else None)
    invoice_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    amount_untaxed = TextDecimal()
    amount_tax = TextDecimal()
    amount_total = TextDecimal()
    payment_state = fields.String(metadata={"enum": ["not_paid", "partial", "paid"]})
    amount_paid = TextDecimal()
    amount_residual = TextDecimal()


class InvoiceDetail(InvoiceRead):
    note = fields.String(allow_none=True)
    issued_at = UtcDateTime(allow_none=True)
    lines = fields.Function(lambda o: [
        {c: (str(getattr(x, c)) if c in DECIMALS else getattr(x, c)) for c in LINE_COLUMNS}
        for x in o.lines])


class OrderLineQuantity(Schema):
    order_line_id = fields.Integer(required=True)
    quantity = TextDecimal(required=True, integer_digits=14)


class InvoiceCreate(Schema):
    """A draft from a confirmed order."""
    order_id = fields.Integer(required=True)
    mode = fields.String(required=True, metadata={"enum": ["order", "lines", "down_payment"]})
    lines = fields.List(fields.Nested(OrderLineQuantity))
    percent = TextDecimal(integer_digits=3)
    amount = TextDecimal(integer_digits=14)


class CreditLine(Schema):
    invoice_line_id = fields.Integer(required=True)
    quantity = TextDecimal(required=True, integer_digits=14)


class CreditBody(Schema):
    lines = fields.List(fields.Nested(CreditLine))


class InvoiceApi(CrossdockModelRestApi):
    resource_name = "invoice"
    datamodel = CappedCountInterface(Invoice)
    allow_browser_login = True
    include_route_methods = {"get", "get_list", "info", "post", "delete", "issue", "credit",
                             "balance", "credit_release"}
    base_order = ("id", "desc")
    list_columns = LIST
    show_columns = [*LIST, "note", "issued_at"]
    list_select_columns = LIST
    show_select_columns = [*LIST, "note", "issued_at"]
    list_model_schema = InvoiceRead()
    show_model_schema = InvoiceDetail()
    add_model_schema = InvoiceCreate()
    search_columns = ["number", "kind", "state", "order", "company", "owner", "team",
                      "invoice_date", "due_date", "payment_state"]
    openapi_spec_component_schemas = (OrderLineQuantity, CreditLine, CreditBody)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func,
                                 **kwargs)
        if getattr(func, "__name__", "") != "post":
            return
        # POST answers the draft as GET does (InvoiceDetail), not the body written
        for spec in (operations or {}).values():
            for code, response in spec.get("responses", {}).items():
                schema = (response.get("content", {}).get("application/json", {})
                          .get("schema", {}))
                if str(code).startswith("2") and "result" in schema.get("properties", {}):
                    schema["properties"]["result"] = {
                        "$ref": f"#/components/schemas/{self.show_model_schema_name}"}

    def _body(self, required=True):
        if not required and not request.get_data(cache=True):
            return {}, None
        refused = self._refuse_body()
        if refused is not None:
            return None, refused
        return json.loads(request.get_data(cache=True), parse_float=Decimal), None

    def _refused(self, exc):
        self.datamodel.session.rollback()
        if isinstance(exc, AccessDenied):
            return self.response(403, message=str(exc))
        if isinstance(exc, InvoiceCheckError):
            return self.response(400, message=str(exc), field=exc.field)
        return self.response(409, message=str(exc))

    def _shown(self, pk) -> dict:
        self.datamodel.session.expire_all()
        return self.show_model_schema.dump(self.datamodel.get(pk), many=False)

    def post_headless(self):
        data, refused = self._body()
        if refused is not None:
            return refused
        errors = self.add_model_schema.validate(data)
        if errors:
            return self.response_422(message=errors)
        session = self.datamodel.session
        order_id = data["order_id"]
        order = session.scalars(select(SalesOrder).where(
            SalesOrder.id == order_id)).first() if is_row_id(order_id) else None
        if order is None:
            return self.response(400, message="order_id: no such order, or you may not see it",
                                 field="order_id")
        try:
            mode = data["mode"]
            if mode == "order":
                invoice = draft_from_order.invoice_order(session, order)
            elif mode == "lines":
                quantities = {x["order_line_id"]: x["quantity"] for x in data.get("lines", [])}
                if not quantities:
                    raise InvoiceCheckError("lines: give at least one line", field="lines")
                invoice = draft_from_order.invoice_order(session, order, quantities)
            elif mode == "down_payment":
                invoice = draft_from_order.down_payment(
                    session, order, percent=data.get("percent"), amount=data.get("amount"))
            else:
                raise InvoiceCheckError("mode: order, lines or down_payment", field="mode")
            session.commit()
        except (InvoiceCheckError, InvoiceStateError, AccessDenied) as exc:
            return self._refused(exc)
        return self.response(201, id=invoice.id, result=self._shown(invoice.id))

    def delete_headless(self, pk):
        invoice = self.item_or_none(pk)
        if invoice is None:
            return self.response_404()
        try:
            refuse_if_locked(invoice)
        except InvoiceStateError as exc:
            return self._refused(exc)
        return super().delete_headless(pk)

    @expose("/balance/<int:company_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def balance(self, company_id):
        """What a company owes.
        ---
        get:
          summary: The company's open invoices in the base currency, by age
          parameters:
          - in: path
            schema: {type: integer}
            name: company_id
          responses:
            200: {description: "outstanding, buckets (not_due, 1_30, 31_60, 61_90, over_90), overdue invoices, unconverted amounts, the latest payments (newest first), credit (limit, open, to_invoice, available; null without a limit)"}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: No base currency}
        """
        session = self.datamodel.session
        if session.scalar(select(Company.id).where(Company.id == company_id)) is None:
            return self.response_404()  # none, or not the caller's to read
        try:
            result = company_balance(session, company_id).as_json()
            result["payments"] = [payment_json(p) for p in recent_payments(session, company_id)]
            result["credit"] = standing_json(company_standing(session, company_id))
            return self.response(200, result=result)
        except MissingRate as exc:
            return self.response(409, message=str(exc))

    @expose("/credit_release/<int:order_id>", methods=["POST"])
    @protect()
    @safe
    @permission_name("release")
    def credit_release(self, order_id):
        """Let a quotation held by its customer's credit limit be confirmed (Finance).
        ---
        post:
          summary: Release a quotation past its customer's credit limit, up to its total now
          parameters:
          - in: path
            schema: {type: integer}
            name: order_id
          requestBody:
            required: true
            content:
              application/json:
                schema: {type: object, required: [reason], properties: {reason: {type: string}}}
          responses:
            200: {description: "The release: order_id, amount_total, currency, over_by (base currency), reason"}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: The order is not a quotation}
        """
        data, refused = self._body()
        if refused is not None:
            return refused
        session = self.datamodel.session
        order = quotation_past_rules(session, order_id)  # Finance reads no quotations
        if order is None:
            return self.response_404()
        try:
            made = release(session, order, str((data or {}).get("reason") or ""))
            session.commit()
        except OrderCheckError as exc:
            session.rollback()
            return self.response(400, message=str(exc), field=exc.field)
        except OrderStateError as exc:
            session.rollback()
            return self.response(409, message=str(exc))
        return self.response(200, result={
            "order_id": order.id, "amount_total": str(made.amount_total),
            "currency": order.currency.code, "over_by": str(made.over_by),
            "reason": made.reason})

    @expose("/<pk>/issue", methods=["POST"])
    @protect()
    @safe
    @permission_name("issue")
    def issue(self, pk):
        """Number and issue a draft invoice.
        ---
        post:
          summary: Issue a draft (its number is drawn now, gap-free per series and year)
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: The issued invoice}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: Already issued}
        """
        invoice = self.item_or_none(pk)
        if invoice is None:
            return self.response_404()
        session = self.datamodel.session
        try:
            issue_invoice.issue(session, invoice)
            session.commit()
        except (InvoiceCheckError, InvoiceStateError, AccessDenied) as exc:
            return self._refused(exc)
        return self.response(200, result=self._shown(invoice.id))

    @expose("/<pk>/credit", methods=["POST"])
    @protect()
    @safe
    @permission_name("credit")
    def credit(self, pk):
        """A draft credit note of an issued invoice.
        ---
        post:
          summary: Make a draft credit note (whole invoice, or the lines given)
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            required: false
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CreditBody'}
          responses:
            201: {description: The draft credit note}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: The invoice is not issued}
        """
        invoice = self.item_or_none(pk)
        if invoice is None:
            return self.response_404()
        data, refused = self._body(required=False)
        if refused is not None:
            return refused
        errors = CreditBody().validate(data)
        if errors:
            return self.response_422(message=errors)
        quantities = None
        if data.get("lines"):
            quantities = {x["invoice_line_id"]: x["quantity"] for x in data["lines"]}
        session = self.datamodel.session
        try:
            credit = credit_note.credit_note(session, invoice, quantities)
            session.commit()
        except (InvoiceCheckError, InvoiceStateError, AccessDenied) as exc:
            return self._refused(exc)
        return self.response(201, id=credit.id, result=self._shown(credit.id))
