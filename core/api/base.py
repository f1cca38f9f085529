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
- rows written nested (`"phones": [{"kind": ..., "number": ...}]`) are checked
  by a schema of their own (required columns, validators, no unknown keys):
  422 naming the field, where FAB built the row from any keys (a TypeError or
  a NOT NULL from the database: 500);
- what the database still refuses (`IntegrityError`) is answered by
  `core.api.integrity`: 409 for a unique value another row holds, 422 for the
  rest, naming the field (FAB: a 500 on POST, a 422 quoting the SQL on PUT);
- datetimes are RFC 3339 with a UTC offset both ways, decimals text, ids
  integers, related rows by id (`core.api.fields`); the OpenAPI spec says so,
  and describes `_info` as it answers (FAB's failed on dotted columns and on
  hand-written schemas, and documented another shape);
- 422 bodies carry a string `message` and the field errors in `errors`, as
  the OpenAPI spec says; the spec lists 400/401/403/404/409/422 where they apply.

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
from flask_appbuilder.const import API_RESULT_RES_KEY
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.hooks import before_request
from marshmallow import ValidationError, fields, validate
from marshmallow_sqlalchemy import field_for
from sqlalchemy import inspect
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..addons.model_extension import field_names
from . import openapi_fixes
from .errors import field_errors_message
from .fields import (BadValue, ExistingRelated, TextDecimal, UtcDateTime, as_int, coerce_for,
                     int_bits, is_integer_type, no_nul, nul_paths)
from .extension_fields import extension_filters, with_extension_fields
from .integrity import refusal


MESSAGE = {"type": "object", "properties": {"message": {"type": "string"}},
           "required": ["message"]}


FIELD_ERRORS = {"type": "object", "required": ["message"],
                "properties": {"message": {"type": "string"},
                               "errors": {"type": "object", "additionalProperties": True}}}


def _json_response(description: str, schema: dict | None = None) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": schema or MESSAGE}}}


RESPONSES = {
    "400": _json_response("Bad request: malformed id, query (`q`) or body"),
    "401": _json_response("Missing, malformed, expired or invalid credentials"),
    "403": _json_response("Forbidden: no permission, or outside the record rules"),
    "404": _json_response("Not found"),
    "405": _json_response("Method not allowed"),
    "409": _json_response("Conflict: a unique value another record holds (named in "
                          "`errors`), or the record's state forbids it", FIELD_ERRORS),
    "413": _json_response("Request body too large"),
    "422": _json_response("Could not process entity: field errors in `errors`",
                          FIELD_ERRORS),
    "500": _json_response("Fatal error"),
}
COMPONENT_PREFIX = "CrossdockError"
LIST_OPERATORS = {"in", "not_in"}  # FAB's FilterIn / FilterNotIn
# every operation may answer these; operations on one record also 404
COMMON_ERRORS = ("400", "401", "403", "422")


INT32 = validate.Range(-(2**31), 2**31 - 1)  # INTEGER on PostgreSQL (and the spec says so)
# required text is not blank, as in FAB's HTML forms (apispec: a pattern in the spec)
NOT_BLANK = validate.Regexp(r"[\s\S]*\S", error="Must not be blank.")


def _id_type(model) -> dict:
    keys = inspect(model).primary_key
    return {"type": "integer"} if len(keys) == 1 and is_integer_type(keys[0].type) else {}


class CrossdockModel2SchemaConverter(Model2SchemaConverter):
    """Fields that take only what the database can store, and say so in the spec:
    related rows by an existing id, nested rows by a schema of their own, RFC 3339
    datetimes, decimals and integers that fit their column, text without NUL."""

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        if not nested and column.children and datamodel.is_relation_one_to_many(column.name):
            return self._nested_rows(datamodel, column, parent_schema_name)
        field = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if nested:  # read: a related row may be missing, or hidden by the record rules
            if not getattr(field, "many", False):
                field.allow_none = True
            return field
        if column.children:
            return field
        strict = field_for(datamodel.obj, column.name, field_class=ExistingRelated)
        strict.required = field.required
        strict.unique = getattr(field, "unique", False)
        id_type = _id_type(datamodel.get_related_model(column.name))
        target = getattr(strict, "inner", strict)  # RelatedList: its items
        target.metadata = {**target.metadata, **id_type,
                           "description": "the id of the related record"}
        return strict

    def _nested_rows(self, datamodel, column, parent_schema_name):
        """One-to-many rows written inside their parent ("phones": [{...}]): a
        schema of the child's columns (required ones required, unknown keys refused)."""
        child = datamodel.get_related_model(column.name)
        schema = self.convert([c.name for c in column.children], child, nested=False,
                              parent_schema_name=parent_schema_name)
        return fields.Nested(schema, many=True)

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if datamodel.is_relation(column.name) or column.name not in datamodel.list_columns:
            return field
        type_ = datamodel.list_columns[column.name].type
        if isinstance(type_, sqltypes.String):
            if isinstance(type_, sqltypes.Enum):  # marshmallow-sqlalchemy's Raw took false
                field = self._replace(field, fields.String)  # and failed on len(False)
            field.validators = [*field.validators, no_nul]
            if field.required:
                field.validators.append(NOT_BLANK)
        elif isinstance(type_, sqltypes.DateTime):
            field = self._replace(field, UtcDateTime)
        elif isinstance(type_, sqltypes.Numeric) and not isinstance(type_, sqltypes.Float):
            digits = (type_.precision - (type_.scale or 0)) if type_.precision else None
            field = self._replace(field, TextDecimal, integer_digits=digits)
        elif isinstance(type_, sqltypes.Integer):
            field.strict = True  # 2.5 is no integer (marshmallow truncated it to 2)
            if isinstance(type_, sqltypes.BigInteger):
                return field
            if not any(isinstance(v, validate.Range) for v in field.validators):
                field.validators = [*field.validators, INT32]
        return field

    @staticmethod
    def _replace(field, cls, **kwargs):
        """`field` as an instance of `cls`, with its settings and validators."""
        new = cls(required=field.required, allow_none=field.allow_none,
                  dump_only=field.dump_only, load_only=field.load_only,
                  validate=list(field.validators), **kwargs)
        new.unique = getattr(field, "unique", False)
        return new


def add_rest_filters(filters, items: list[dict]) -> None:
    """The rison filters (checked by `_check_filter`) added to `filters`. FAB's
    `rest_add_filters` takes an operator's class from a global table in which the
    filter of that name built last wins (FAB's own LIKE filter or our literal
    one, core/views/literal_like_filters.py); the column's own filters decide here."""
    for flt in items:
        col, opr = flt["col"], flt["opr"]
        found = next(f for f in filters.get_search_filters().get(col, []) if f.arg_name == opr)
        filters.add_filter(col, type(found), flt["value"])


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

    def __init__(self):
        super().__init__()
        with_extension_fields(self)  # other addons' columns on the model, while active

    @before_request
    def _info_is_get_only(self):
        """`/<pk>` also matches FAB's `/_info`: PUT or DELETE there is a 405, not a 404."""
        if (request.view_args or {}).get("pk") == "_info":
            response = self.response(405, message="Method not allowed")
            response.headers["Allow"] = "GET, HEAD, OPTIONS"
            return response
        return None

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

    def item_or_none(self, pk):
        """The row with id `pk` the caller may see (record rules), or None: also for
        an id no row can have (beyond the column's integer, which the database
        would refuse with an error). For an addon's actions on `/<int:pk>/...`."""
        key = self._parse_pk(pk)
        return None if key is None else self.datamodel.get(key, self._base_filters)

    def get_headless(self, pk, **kwargs):
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        error = self._check_item_args(kwargs.get("rison", {}))
        if error:
            return self.response_400(message=error)
        return super().get_headless(key, **kwargs)

    def put_headless(self, pk):
        """FAB's PUT, with nested rows checked and database refusals answered."""
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        refused = self._refuse_body()
        if refused is not None:
            return refused
        item = self.datamodel.get(key, self._base_filters)
        if item is None:
            return self.response_404()
        session = self.datamodel.session
        try:
            with session.no_autoflush:  # a half-loaded row must not reach the database
                data = self._merge_update_item(item, request.get_json())
                item = self.edit_model_schema.load(data, instance=item)
        except ValidationError as err:
            session.rollback()  # the stored row as it was
            return self.response_422(message=err.messages)
        try:
            self.pre_update(item)
            self.datamodel.edit(item)
        except DatabaseException as exc:  # FAB's edit wraps what the database said
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._refused(exc.__cause__)
        except IntegrityError as exc:  # flushed early by a query in pre_update
            return self._refused(exc)
        self.post_update(item)
        return self.response(200, **{API_RESULT_RES_KEY: self.edit_model_schema.dump(item)})

    def delete_headless(self, pk):
        key = self._parse_pk(pk)
        if key is None:
            return self.response_404()
        item = self.datamodel.get(key, self._base_filters)
        if item is None:
            return self.response_404()
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
        except DatabaseException as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._refused(exc.__cause__, deleting=True)
        except IntegrityError as exc:
            return self._refused(exc, deleting=True)
        self.post_delete(item)
        return self.response(200, message="OK")

    def _refused(self, exc: IntegrityError, deleting: bool = False):
        """The database refused the write: 409 (unique) or 422, naming the field."""
        self.datamodel.session.rollback()
        answer = refusal(exc, self.datamodel.obj, deleting=deleting)
        return self.response(answer.status, message=answer.message, errors=answer.errors)

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
        where = nul_paths(body)
        if where:  # PostgreSQL stores no NUL; hand-written actions read bodies too
            return self.response_422({p: ["Text may not contain NUL characters or lone "
                                          "surrogates."] for p in where})
        return None

    def post_headless(self):
        """FAB's POST, with nested rows checked and database refusals answered."""
        refused = self._refuse_body()
        if refused is not None:
            return refused
        session = self.datamodel.session
        try:
            with session.no_autoflush:
                item = self.add_model_schema.load(request.get_json())
        except ValidationError as err:
            session.rollback()
            return self.response_422(message=err.messages)
        try:
            self.pre_add(item)
            self.datamodel.add(item)  # FAB's add re-raises what the database said
        except IntegrityError as exc:
            return self._refused(exc)
        self.post_add(item)
        return self.response(201, **{API_RESULT_RES_KEY: self.add_model_schema.dump(item),
                                     "id": self.datamodel.get_pk_value(item)})

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

    def new_filters(self):
        """A `Filters` of the search columns (other addons' active columns
        included) with none applied, for one request: FAB's shared one is
        cleared and filled by every request, so concurrent lists could mix filters."""
        own = [c for c in self.search_columns if c not in field_names(self.datamodel.obj)]
        return extension_filters(self, self.datamodel.get_filters(
            search_columns=own, search_filters=self.search_filters))

    def _handle_filters_args(self, rison_args):
        filters = self.new_filters()
        add_rest_filters(filters, rison_args.get("filters", []))
        return filters.get_joined_filters(self._base_filters)

    def get_list_headless(self, **kwargs):
        args = kwargs.get("rison", {})
        error = self._check_list_args(args)
        if error:
            return self.response_400(message=error)
        return super().get_list_headless(**kwargs)

    # --- _info ---------------------------------------------------------------------
    def _get_fields_info(self, cols, model_schema, filter_rel_fields, **kwargs):
        """FAB looked each add/edit column up in the schema: a dotted one
        ("phones.kind", written nested) or a hand-written schema's fields
        (OrderApi) raised KeyError. The schema's own writable fields, in order."""
        names = [n for n in dict.fromkeys(c.split(".", 1)[0] for c in cols)
                 if n in model_schema.fields and not model_schema.fields[n].dump_only]
        names += [n for n, f in model_schema.fields.items()
                  if n not in names and not f.dump_only]
        return super()._get_fields_info(names, model_schema, filter_rel_fields, **kwargs)

    def info_headless(self, **kwargs):
        args = kwargs.get("rison", {})
        for key in ("add_columns", "edit_columns"):
            pages = args.get(key, {})
            if not isinstance(pages, dict):
                return self.response_400(message=f"{key} must be an object")
            for col, page in pages.items():
                if not isinstance(page, dict):
                    return self.response_400(message=f"{key}.{col} must be an object")
                error = self._check_list_args({k: v for k, v in page.items()
                                               if k in ("page", "page_size")})
                if error:
                    return self.response_400(message=f"{key}.{col}: {error}")
        return super().info_headless(**kwargs)

    # --- item `q` (columns) -------------------------------------------------------
    def _check_item_args(self, args: dict) -> str | None:
        for key, allowed in (("columns", self.show_columns),
                             ("select_columns", self.show_select_columns)):
            unknown = [c for c in args.get(key, []) if c not in allowed]
            if unknown:
                return f"Unknown {key}: {', '.join(map(str, unknown))}"
        return None

    # --- OpenAPI ------------------------------------------------------------------
    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        prefix = f"{self.__class__.__name__}."
        for name, schema in api_spec.components.schemas.items():
            if name.startswith(prefix) and isinstance(schema, dict):
                openapi_fixes.fix_component(schema)
        # PUT changes what it sends (FAB fills the rest from the stored row)
        edit = api_spec.components.schemas.get(self.edit_model_schema_name)
        if isinstance(edit, dict):
            edit.pop("required", None)

    def operation_helper(self, path=None, operations=None, methods=None, func=None,
                         **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods,
                                 func=func, **kwargs)
        for method in methods or ():
            spec = operations.get(method.lower())
            if spec is None:
                continue
            if getattr(func, "__name__", "") in ("get_list", "get", "post", "put", "delete",
                                                  "info"):
                openapi_fixes.fix_operation(func.__name__, method, spec,
                                            _id_type(self.datamodel.obj))
            responses = spec.setdefault("responses", {})
            for code, response in responses.items():  # FAB's docstrings point at FAB's
                if response.get("$ref") == f"#/components/responses/{code}":
                    response["$ref"] = f"#/components/responses/{COMPONENT_PREFIX}{code}"
            codes = COMMON_ERRORS
            if "{pk}" in (path or ""):
                codes += ("404",)
            if method.upper() in ("POST", "PUT"):
                codes += ("413",)
            if method.upper() in ("POST", "PUT", "DELETE"):
                codes += ("409",)
            for code in codes:
                if code not in responses and int(code) not in responses:
                    responses[code] = {"$ref": f"#/components/responses/{COMPONENT_PREFIX}{code}"}
