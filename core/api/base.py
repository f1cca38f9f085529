"""`CrossdockModelRestApi`: FAB's ModelRestApi that answers malformed requests with a 4xx.

Addons subclass it instead of `flask_appbuilder.api.ModelRestApi`. What it
changes, each found as a 500 (or a misleading answer) of stock FAB 5.3:

- ids: `GET /<id>` takes any text like PUT and DELETE do, and an id that is
  not an integer, or beyond 64 bits, is a 404 (was a 405 HTML page for GET,
  a 500 OverflowError on SQLite and DataError on PostgreSQL otherwise);
- the rison `q` of a list: `page` must be >= 0, `page_size` within
  1..max_page_size, `columns`/`select_columns` known, each filter a known
  column and operator with a value of the column's type: else 400;
- bodies of POST and PUT must be a JSON object (400), related rows must exist
  (422; FAB's marshmallow-sqlalchemy created a new related row instead), and
  text may not hold NUL (PostgreSQL refuses it);
- 422 bodies carry a string `message` and the field errors in `errors`, as
  the OpenAPI spec says; the spec lists 400/401/403/404/422 on every operation.

Error answers for requests that never reach a view (unknown routes, wrong
methods, JWT problems, CSRF, size limit) are in `core.api.errors`.
"""
from __future__ import annotations

import functools
from typing import Any

import prison

from flask import current_app, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.hooks import before_request
from marshmallow_sqlalchemy import field_for
from sqlalchemy import inspect
from sqlalchemy import types as sqltypes
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from .errors import field_errors_message
from .fields import (BadValue, ExistingRelated, as_int, coerce_for, int_bits, is_integer_type,
                     no_nul)


MESSAGE = {"type": "object", "properties": {"message": {"type": "string"}},
           "required": ["message"]}


def _json_response(description: str, schema: dict | None = None) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": schema or MESSAGE}}}


RESPONSES = {
    "400": _json_response("Bad request: malformed id, query (`q`) or body"),
    "401": _json_response("Missing, malformed, expired or invalid credentials"),
    "403": _json_response("Forbidden: no permission, or outside the record rules"),
    "404": _json_response("Not found"),
    "405": _json_response("Method not allowed"),
    "413": _json_response("Request body too large"),
    "422": _json_response("Could not process entity: field errors in `errors`", {
        "type": "object", "required": ["message"],
        "properties": {"message": {"type": "string"},
                       "errors": {"type": "object",
                                  "additionalProperties": True}}}),
    "500": _json_response("Fatal error"),
}
COMPONENT_PREFIX = "CrossdockError"
LIST_OPERATORS = {"in", "not_in"}  # FAB's FilterIn / FilterNotIn
# every operation may answer these; operations on one record also 404
COMMON_ERRORS = ("400", "401", "403", "422")


class CrossdockModel2SchemaConverter(Model2SchemaConverter):
    """Related fields that must name an existing row; text that PostgreSQL can store."""

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        field = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if nested or column.children:  # written as nested rows, not as ids
            return field
        strict = field_for(datamodel.obj, column.name, field_class=ExistingRelated)
        strict.required = field.required
        strict.unique = getattr(field, "unique", False)
        return strict

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if not datamodel.is_relation(column.name) and column.name in datamodel.list_columns:
            if isinstance(datamodel.list_columns[column.name].type, sqltypes.String):
                field.validators = [*field.validators, no_nul]
        return field


def _reroute(view, url: str):
    """FAB's decorated `view` served at `url` instead (same permission, docs, merges)."""

    @functools.wraps(view)
    def rerouted(self, *args, **kwargs):
        return view(self, *args, **kwargs)

    rerouted._urls = [(url, ("GET",))]
    return rerouted


class CrossdockModelRestApi(ModelRestApi):
    """Base class of every Crossdock REST API (see the module docstring)."""

    model2schemaconverter = CrossdockModel2SchemaConverter
    # under names of their own: FAB's own APIs register "400", "422"... first
    responses = {f"{COMPONENT_PREFIX}{code}": spec for code, spec in RESPONSES.items()}
    # an id that is not an integer is a 404, not FAB's 405 (PUT/DELETE took any text)
    get = _reroute(ModelRestApi.get, "/<pk>")

    @before_request
    def _refuse_unparsable_q(self):
        """prison raises TypeError & co on some truncated input, e.g. `(page:`; FAB's
        `@rison` catches only its ParserException (and then tries JSON), so 500."""
        value = request.args.get("q")
        if value:
            try:
                prison.loads(value)
            except prison.decoder.ParserException:
                pass  # FAB's @rison answers it (or reads it as JSON)
            except Exception:
                return self.response_400(message="Not a valid rison argument")
        return None

    # --- ids -----------------------------------------------------------------
    def _parse_pk(self, pk: Any) -> Any:
        """The id as the primary key column takes it, or None if no row can have it."""
        keys = inspect(self.datamodel.obj).primary_key
        if len(keys) != 1 or not is_integer_type(keys[0].type):
            return pk
        try:
            return as_int(pk, int_bits(keys[0].type, self._dialect()))
        except BadValue:
            return None

    def _dialect(self) -> str:
        return self.datamodel.session.get_bind().dialect.name

    def get_headless(self, pk, **kwargs):
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        error = self._check_item_args(kwargs.get("rison", {}))
        if error:
            return self.response_400(message=error)
        return super().get_headless(key, **kwargs)

    def put_headless(self, pk):
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        refused = self._refuse_body()
        if refused is not None:
            return refused
        return super().put_headless(key)

    def delete_headless(self, pk):
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        return super().delete_headless(key)

    # --- bodies --------------------------------------------------------------
    def _refuse_body(self):
        """A 4xx unless the body is a JSON object (FAB reads it after this)."""
        if not request.is_json:
            return self.response_400(message="Request body must be JSON "
                                             "(Content-Type: application/json)")
        try:
            data = request.get_data(cache=True)
            limit = request.max_content_length
            if request.content_length is None and limit is not None and len(data) >= limit:
                raise RequestEntityTooLarge()  # a chunked body cut at the limit
            body = request.get_json()
        except RequestEntityTooLarge:
            return self.response(413, message="Request body too large")
        except BadRequest:
            return self.response_400(message="Request body is not valid JSON")
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object")
        return None

    def post_headless(self):
        refused = self._refuse_body()
        if refused is not None:
            return refused
        return super().post_headless()

    def response_422(self, message=None):
        if isinstance(message, dict):
            return self.response(422, message=field_errors_message(message), errors=message)
        return super().response_422(message=message)

    # --- the rison `q` of a list -------------------------------------------------
    def _max_page_size(self) -> int:
        return self.max_page_size or current_app.config.get("FAB_API_MAX_PAGE_SIZE", 100)

    def _check_list_args(self, args: dict) -> str | None:
        """Why this list query cannot be answered, or None."""
        page, size = args.get("page"), args.get("page_size")
        for name, value in (("page", page), ("page_size", size)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return f"{name} must be an integer"
        limit = self._max_page_size()
        if size is not None and not (1 <= size <= limit or (limit == -1 and size >= -1)):
            return f"page_size must be between 1 and {limit}"
        if page is not None:
            if page < 0:
                return "page must be 0 or more"
            if page * (size or self.page_size or 1) > 2**62:
                return "page out of range"
        for key, allowed in (("columns", self.list_columns),
                             ("select_columns", self.list_select_columns)):
            unknown = [c for c in args.get(key, []) if c not in allowed]
            if unknown:
                return f"Unknown {key}: {', '.join(map(str, unknown))}"
        for i, flt in enumerate(args.get("filters", [])):
            error = self._check_filter(flt)
            if error:
                return f"filters[{i}]: {error}"
        return None

    def _check_filter(self, flt: dict) -> str | None:
        missing = [k for k in ("col", "opr", "value") if k not in flt]
        if missing:
            return f"missing {', '.join(missing)}"
        col, opr = flt["col"], flt["opr"]
        if col not in self.search_columns:
            return f"column {col!r} cannot be filtered"
        operators = {f.arg_name for f in self._filters.get_search_filters().get(col, [])}
        if opr not in operators:
            return f"operator {opr!r} not allowed on {col!r} (allowed: {', '.join(sorted(operators))})"
        if isinstance(flt["value"], list) != (opr in LIST_OPERATORS):
            return (f"operator {opr!r} takes a list" if opr in LIST_OPERATORS
                    else f"operator {opr!r} takes a single value")
        column = self._filter_column(col)
        if column is None:
            return None
        try:
            flt["value"] = coerce_for(column.type, flt["value"], self._dialect())
        except BadValue as exc:
            return f"value for {col!r}: {exc}"
        return None

    def _filter_column(self, col: str):
        """The column a filter on `col` compares with (a relation's: the related key)."""
        mapper = inspect(self.datamodel.obj)
        if col in mapper.relationships:
            keys = inspect(mapper.relationships[col].mapper.class_).primary_key
            return keys[0] if len(keys) == 1 else None
        return mapper.columns.get(col)

    def _handle_filters_args(self, rison_args):
        # a Filters of its own per request: FAB's shared one is cleared and
        # filled by every request, so concurrent lists could mix filters
        filters = self.datamodel.get_filters(search_columns=self.search_columns,
                                             search_filters=self.search_filters)
        filters.rest_add_filters(rison_args.get("filters", []))
        return filters.get_joined_filters(self._base_filters)

    def get_list_headless(self, **kwargs):
        args = kwargs.get("rison", {})
        error = self._check_list_args(args)
        if error:
            return self.response_400(message=error)
        return super().get_list_headless(**kwargs)

    # --- item `q` (columns) -------------------------------------------------------
    def _check_item_args(self, args: dict) -> str | None:
        for key, allowed in (("columns", self.show_columns),
                             ("select_columns", self.show_select_columns)):
            unknown = [c for c in args.get(key, []) if c not in allowed]
            if unknown:
                return f"Unknown {key}: {', '.join(map(str, unknown))}"
        return None

    # --- OpenAPI ------------------------------------------------------------------
    def operation_helper(self, path=None, operations=None, methods=None, func=None,
                         **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods,
                                 func=func, **kwargs)
        for method in methods or ():
            spec = operations.get(method.lower())
            if spec is None:
                continue
            responses = spec.setdefault("responses", {})
            for code, response in responses.items():  # FAB's docstrings point at FAB's
                if response.get("$ref") == f"#/components/responses/{code}":
                    response["$ref"] = f"#/components/responses/{COMPONENT_PREFIX}{code}"
            codes = COMMON_ERRORS
            if "{pk}" in (path or ""):
                codes += ("404",)
            if method.upper() in ("POST", "PUT"):
                codes += ("413",)
            for code in codes:
                if code not in responses and int(code) not in responses:
                    responses[code] = {"$ref": f"#/components/responses/{COMPONENT_PREFIX}{code}"}
