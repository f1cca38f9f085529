"""REST for quotations and orders: `/api/v1/salesorder/`.

Lines are written nested in the order's body while it is a quotation
(`{"company_id": 3, "currency_id": 1, "lines": [{"product_id": 7,
"quantity": "2"}]}`; a PUT with "lines" replaces them all). State, number and
amounts are read-only: the state moves by `POST /<pk>/send|confirm|cancel`
(cancel takes `{"reason": "..."}`). Bad input: 400 naming the field (and
`line`, 1-based); a move the state does not allow or that another request
made first: 409; a locked (confirmed/cancelled) order: 409 on PUT and DELETE.
"""
from __future__ import annotations

import json
from decimal import Decimal

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields
from sqlalchemy import select

from core.api import CrossdockModelRestApi
from core.api.fields import TextDecimal, UtcDateTime
from core.views.capped_count import CappedCountInterface

from ..models.sales_order import SalesOrder
from ..services.erp.status import erp_status, erp_statuses
from ..services.orders import order_states
from ..services.orders.order_input import OrderInputError, apply_header, replace_lines
from ..services.orders.order_lock import OrderLocked, refuse_if_locked

LIST = ["id", "number", "state", "order_date", "validity_date", "amount_untaxed", "amount_tax",
        "amount_total", "erp"]
LINE_COLUMNS = ("id", "sequence", "product_id", "description", "quantity", "unit_price",
                "discount", "tax_id", "tax_rate", "price_include", "amount_untaxed",
                "amount_tax", "amount_total")
DECIMALS = {"quantity", "unit_price", "discount", "tax_rate", "amount_untaxed", "amount_tax",
            "amount_total"}


def lines_of(order: SalesOrder) -> list[dict]:
    """The lines as JSON (decimals as strings, like FAB's Numeric columns)."""
    return [{c: (str(getattr(line, c)) if c in DECIMALS else getattr(line, c))
             for c in LINE_COLUMNS} for line in order.lines]


class LineWrite(Schema):
    """A line as written: `unit_price` defaults to the customer's price, `tax_id`
    and `description` to the product's; decimals as strings."""
    product_id = fields.Integer(required=True)
    quantity = TextDecimal(required=True, integer_digits=14)
    unit_price = TextDecimal(integer_digits=14)
    discount = TextDecimal(integer_digits=3, metadata={"description": "percent, 0-100"})
    description = fields.String()
    tax_id = fields.Integer(allow_none=True)
    sequence = fields.Integer()


class OrderWrite(Schema):
    """A quotation as written (what POST takes; PUT takes any part of it)."""
    company_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    lead_id = fields.Integer(allow_none=True, metadata={"description": "the opportunity"})
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    currency_id = fields.Integer(required=True)
    price_list_id = fields.Integer(allow_none=True)
    order_date = fields.Date()
    validity_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(LineWrite))


class OrderRead(Schema):
    """An order as read. Related rows by id (contacts are under record rules;
    FAB would join them under aliases), decimals as strings."""
    id = fields.Integer()
    number = fields.String()
    state = fields.String(metadata={"enum": ["draft", "sent", "confirmed", "cancelled"]})
    company_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    currency_id = fields.Integer()
    currency = fields.Function(lambda o: o.currency.code if o.currency else None)
    price_list_id = fields.Integer(allow_none=True)
    order_date = fields.Date()
    validity_date = fields.Date(allow_none=True)
    amount_untaxed = TextDecimal()
    amount_tax = TextDecimal()
    amount_total = TextDecimal()
    cancel_status = fields.String(allow_none=True, metadata={
        "enum": ["pending", "refused"],
        "description": "a confirmed order's cancellation: pending until the ERP has "
                       "cancelled it, refused with the ERP's reason (cancel_refusal)"})
    cancel_refusal = fields.String(allow_none=True)
    erp = fields.Function(lambda o: erp_json(erp_status(o)))


class OrderListRow(OrderRead):
    """An order in a list: its "erp" is read for the whole page at once
    (OrderApi.pre_get_list), not row by row."""
    erp = fields.Function(lambda o: [])


def erp_json(statuses) -> list[dict]:
    return [{"level": s.level, "text": s.text, "job_id": s.job_id} for s in statuses if s.text]


class OrderDetail(OrderRead):
    """One order with its lines and its history of states."""
    note = fields.String(allow_none=True)
    sent_at = UtcDateTime(allow_none=True)
    confirmed_at = UtcDateTime(allow_none=True)
    confirmed_by_id = fields.Integer(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    version = fields.Integer()
    lines = fields.Function(lambda o: lines_of(o))


class CancelBody(Schema):
    reason = fields.String(required=True)




class OrderApi(CrossdockModelRestApi):
    resource_name = "salesorder"
    datamodel = CappedCountInterface(SalesOrder)  # list counts stop at the cap
    allow_browser_login = True
    base_order = ("id", "desc")
    list_columns = LIST
    show_columns = [*LIST, "note", "sent_at", "confirmed_at", "cancelled_at", "cancel_reason",
                    "version"]
    # what the queries load: every column OrderRead dumps, so no row loads one more
    # by itself; "erp" is no column but the hub's answer (OrderRead.erp, pre_get_list)
    list_select_columns = ["id", "number", "state", "company_id", "person_id", "lead_id",
                           "owner_id", "team_id", "currency_id", "price_list_id", "order_date",
                           "validity_date", "amount_untaxed", "amount_tax", "amount_total",
                           "cancel_status", "cancel_refusal"]
    show_select_columns = [c for c in show_columns if c != "erp"]
    list_model_schema = OrderListRow()
    show_model_schema = OrderDetail()
    search_columns = ["number", "state", "company", "person", "lead", "owner", "team",
                      "order_date"]
    add_model_schema = OrderWrite()
    edit_model_schema = OrderWrite(partial=True)
    openapi_spec_component_schemas = (LineWrite, CancelBody)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func,
                                 **kwargs)
        if getattr(func, "__name__", "") not in ("post", "put"):
            return
        # POST and PUT answer the order as GET does (OrderDetail), not the body written
        for spec in (operations or {}).values():
            for code, response in spec.get("responses", {}).items():
                schema = (response.get("content", {}).get("application/json", {})
                          .get("schema", {}))
                if str(code).startswith("2") and "result" in schema.get("properties", {}):
                    schema["properties"]["result"] = {
                        "$ref": f"#/components/schemas/{self.show_model_schema_name}"}

    def pre_get_list(self, data):
        """Each listed order's "erp", from the hub in one batch for the page."""
        rows = [(pk, row) for pk, row in zip(data["ids"], data["result"]) if "erp" in row]
        if not rows:
            return
        orders = self.datamodel.session.scalars(select(SalesOrder).where(
            SalesOrder.id.in_([pk for pk, _ in rows]))).all()
        statuses = erp_statuses(self.datamodel.session, orders)
        for pk, row in rows:
            row["erp"] = erp_json(statuses.get(pk, []))

    # --- writes: our own parsing, so lines, rules and locks are checked alike ---
    def _body(self):
        refused = self._refuse_body()
        if refused is not None:
            return None, refused
        # JSON numbers as Decimal, never float: 19.99 stays 19.99
        return json.loads(request.get_data(cache=True), parse_float=Decimal), None

    def _input_error(self, exc: OrderInputError):
        self.datamodel.session.rollback()
        body = {"message": str(exc), "field": exc.field}
        if exc.line_no is not None:
            body["line"] = exc.line_no
        return self.response(400, **body)

    def _conflict(self, exc: Exception):
        self.datamodel.session.rollback()
        return self.response(409, message=str(exc))

    def post_headless(self):
        data, refused = self._body()
        if refused is not None:
            return refused
        session = self.datamodel.session
        order = SalesOrder()
        try:
            apply_header(session, order, data)
            session.add(order)
            if "lines" in data:
                replace_lines(session, order, data["lines"])
            session.commit()
        except OrderInputError as exc:
            return self._input_error(exc)
        return self.response(201, id=order.id, result=self._shown(order.id))

    def put_headless(self, pk):
        order = self._order(pk)
        if order is None:
            return self.response_404()
        data, refused = self._body()
        if refused is not None:
            return refused
        session = self.datamodel.session
        try:
            refuse_if_locked(order)
            apply_header(session, order, data)
            if "lines" in data:
                replace_lines(session, order, data["lines"])
            session.commit()
        except OrderInputError as exc:
            return self._input_error(exc)
        except OrderLocked as exc:
            return self._conflict(exc)
        return self.response(200, result=self._shown(order.id))

    def delete_headless(self, pk):
        order = self._order(pk)
        if order is None:
            return self.response_404()
        try:
            refuse_if_locked(order)
        except OrderLocked as exc:
            return self._conflict(exc)
        return super().delete_headless(pk)

    def _order(self, pk):
        key = self._parse_pk(pk)
        return None if key is None else order_states.load_for_update(self.datamodel.session, key)

    def _shown(self, pk) -> dict:
        self.datamodel.session.expire_all()
        item = self.datamodel.get(pk)
        return self.show_model_schema.dump(item, many=False)

    # --- state actions ------------------------------------------------------------
    def _act(self, pk, move, *args):
        order = self._order(pk)
        if order is None:
            return self.response_404()
        session = self.datamodel.session
        try:
            warnings = move(session, order, *args) or []  # confirm's, from other addons
            session.commit()
        except order_states.OrderCheckError as exc:
            session.rollback()
            body = {"message": str(exc), "field": exc.field}
            if exc.line_no is not None:
                body["line"] = exc.line_no
            return self.response(400, **body)
        except order_states.OrderStateError as exc:
            return self._conflict(exc)
        if warnings:
            return self.response(200, result=self._shown(order.id), warnings=warnings)
        return self.response(200, result=self._shown(order.id))

    @expose("/<pk>/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    def send(self, pk):
        """Mark a quotation as sent to the customer.
        ---
        post:
          summary: Mark a quotation (draft or sent) as sent
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: The order as it is now}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: 'The order is confirmed or cancelled (message says which)'}
        """
        return self._act(pk, order_states.send)

    @expose("/<pk>/confirm", methods=["POST"])
    @protect()
    @safe
    @permission_name("confirm")
    def confirm(self, pk):
        """Confirm a quotation: it becomes a locked order and an ERP sync request.
        ---
        post:
          summary: Confirm a quotation (draft or sent)
          description: >
            Refused with 400 (field, line) and nothing changed when the order has no
            lines, a line with quantity <= 0, a negative price, a discount outside
            0-100 or an archived product, no customer, or a currency without an
            exchange rate for today. A concurrent confirmation: one 200, one 409.
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: 'The confirmed order; `warnings`, when present, lists what
              other addons warn of (a credit limit passed, say)'}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: 'Already confirmed, cancelled, or changed meanwhile'}
        """
        return self._act(pk, order_states.confirm)

    @expose("/<pk>/cancel", methods=["POST"])
    @protect()
    @safe
    @permission_name("cancel")
    def cancel(self, pk):
        """Cancel a quotation or a confirmed order (which tells the ERP).
        ---
        post:
          summary: Cancel a quotation or an order
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CancelBody'}
          responses:
            200: {description: "The order: cancelled, or (an ERP has it) still confirmed with its cancellation pending"}
            400: {$ref: '#/components/responses/CrossdockError400'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: Already cancelled, or its cancellation already requested}
        """
        data, refused = self._body()
        if refused is not None:
            return refused
        reason = data.get("reason")
        if not isinstance(reason, str):
            return self.response(400, message="reason: give the reason as text",
                                 field="reason")
        return self._act(pk, order_states.cancel, reason)
