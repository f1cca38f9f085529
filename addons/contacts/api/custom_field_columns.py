"""Custom fields in the company and person REST APIs.

- GET one and GET list answer ``"custom": {key: value}`` in each result
  (numbers as JSON numbers, dates as "YYYY-MM-DD", yes/no as booleans, a user
  as the username); a field without a value is absent.
- POST and PUT take ``"custom": {key: value}``; values parse as in forms and
  imports (services/custom_fields/values.py). A bad value, an unknown key or a
  missing required field is a 422 with ``errors: {"custom": {key: [why]}}``
  and nothing saved. PUT changes the keys it sends (null removes a value).
- Filters: each active field is a column ``custom_<key>`` with the operators
  of services/custom_fields/filters.py, e.g.
  ``q=(filters:!((col:custom_segment,opr:custom_eq,value:Retail)))``; a
  value that does not parse for the field is a 400. ``_info`` lists them.

Fields are defined at run time, so none of this is in FAB's schemas: the
OpenAPI spec documents "custom" as a free object and the filters in the
list operation's description.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import g, has_request_context, request

from core.api.base import add_rest_filters
from core.db import db

from ..rules.field_error import ContactFieldError
from ..services.custom_fields.filters import (PREFIX, current_fields, kind_of_model,
                                             with_custom_columns)
from ..services.custom_fields.values import parse_value, set_values, values_for

CUSTOM = "custom"
CUSTOM_SCHEMA = {
    "type": "object", "additionalProperties": True,
    "description": "Custom fields defined by an admin (Contacts > Custom fields), by key. "
                   "Text, choice and user (username) as strings, numbers as numbers, dates "
                   "as YYYY-MM-DD, yes/no as booleans. On POST/PUT null removes a value.",
}
FILTERS_DOC = (
    "\n\nCustom fields are filtered as columns `custom_<key>`: operators `custom_ct` "
    "(text contains), `custom_eq` (equal; yes/no for a yes/no field), `custom_gt` and "
    "`custom_lt` (numbers and dates), e.g. "
    "`q=(filters:!((col:custom_segment,opr:custom_eq,value:Retail)))`. `_info` lists the "
    "fields and operators defined now.")


class _CustomValueError(ContactFieldError):
    """A custom value refused while the contact is saved (answered under "custom")."""


def as_json(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class CustomFieldApi:
    """Put before CrossdockModelRestApi in the contact APIs' bases."""

    def _custom_kind(self) -> str:
        return kind_of_model(self.datamodel.obj)

    def _custom_fields(self):
        return current_fields(db.session, self._custom_kind()) if has_request_context() else []

    # --- reading -------------------------------------------------------------------
    def _add_custom(self, results: list[dict], ids: list) -> None:
        values = values_for(db.session, self._custom_kind(), ids)
        for result, pk in zip(results, ids):
            result[CUSTOM] = {k: as_json(v) for k, v in values.get(pk, {}).items()}

    def pre_get(self, data):
        super().pre_get(data)
        self._add_custom([data["result"]], [data["id"]])

    def pre_get_list(self, data):
        super().pre_get_list(data)
        self._add_custom(data["result"], data["ids"])

    # --- writing -------------------------------------------------------------------
    def _take_custom(self):
        """Remove "custom" from the body before FAB's schema sees it; check its values.
        Returns a 422 response, or None (the values wait in g for pre_add/pre_update)."""
        g.contacts_custom_input = None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or CUSTOM not in body:
            return None
        custom = body.pop(CUSTOM)  # the cached body FAB loads next
        if not isinstance(custom, dict):
            return self.response_422(message={CUSTOM: ["must be an object {key: value}"]})
        fields = {f.key: f for f in self._custom_fields()}
        errors = {}
        for key, value in custom.items():
            if key not in fields:
                errors[key] = ["no such custom field"]
                continue
            if isinstance(value, (dict, list)):
                errors[key] = ["must be a single value"]
                continue
            try:
                parse_value(fields[key], value)
            except ContactFieldError as exc:
                errors[key] = [exc.message]
        if errors:
            return self.response_422(message={CUSTOM: errors})
        g.contacts_custom_input = custom
        return None

    def _save_custom(self, item, creating: bool) -> None:
        custom = g.get("contacts_custom_input")
        if custom is None and not creating:
            return  # a PUT without "custom" leaves the values as they are
        try:
            # on POST even without "custom": required fields must be given
            set_values(db.session, item, custom or {})
        except ContactFieldError as exc:
            raise _CustomValueError(exc.field, exc.message) from None

    def pre_add(self, item):
        super().pre_add(item)
        self._save_custom(item, creating=True)

    def pre_update(self, item):
        super().pre_update(item)
        self._save_custom(item, creating=False)

    def _with_custom(self, save):
        refused = self._take_custom()
        if refused is not None:
            return refused
        try:
            response = save()
        except _CustomValueError as exc:
            db.session.rollback()
            return self.response_422(message={CUSTOM: {exc.field: [exc.message]}})
        if response.status_code in (200, 201) and response.is_json:
            answer = response.get_json()
            pk = answer.get("id") or request.view_args.get("pk")
            if isinstance(answer.get("result"), dict) and pk is not None:
                self._add_custom([answer["result"]], [int(pk)])
                response.set_data(self.response(response.status_code, **answer).get_data())
        return response

    def post_headless(self):
        return self._with_custom(super().post_headless)

    def put_headless(self, pk):
        return self._with_custom(lambda: super(CustomFieldApi, self).put_headless(pk))

    # --- filters -------------------------------------------------------------------
    def _custom_filters(self):
        return with_custom_columns(self.new_filters(), self._custom_fields())

    def _check_filter(self, flt):
        col = flt.get("col") if isinstance(flt, dict) else None
        if not (isinstance(col, str) and col.startswith(PREFIX)):
            return super()._check_filter(flt)
        missing = [k for k in ("col", "opr", "value") if k not in flt]
        if missing:
            return f"missing {', '.join(missing)}"
        operators = {f.arg_name: f for f in self._custom_filters().get_search_filters()
                     .get(col, [])}
        if not operators:
            return f"column {col!r} cannot be filtered"
        if flt["opr"] not in operators:
            return (f"operator {flt['opr']!r} not allowed on {col!r} "
                    f"(allowed: {', '.join(sorted(operators))})")
        if isinstance(flt["value"], (list, dict)):
            return f"operator {flt['opr']!r} takes a single value"
        try:
            operators[flt["opr"]].parsed(flt["value"])
        except ContactFieldError as exc:
            return f"value for {col!r}: {exc.message}"
        return None

    def _handle_filters_args(self, rison_args):
        filters = self._custom_filters()
        add_rest_filters(filters, rison_args.get("filters", []))
        return filters.get_joined_filters(self._base_filters)

    def info_headless(self, **kwargs):
        # FAB binds its merge functions when the class is made: add ours to the answer
        response = super().info_headless(**kwargs)
        answer = response.get_json() if response.status_code == 200 else None
        if not answer or "filters" not in answer:
            return response
        for col, filters in self._custom_filters().get_search_filters().items():
            if col.startswith(PREFIX):
                answer["filters"][col] = [{"name": str(f.name), "operator": f.arg_name}
                                          for f in filters]
        return self.response(200, **answer)

    # --- OpenAPI -------------------------------------------------------------------
    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        for name in (self.list_model_schema_name, self.add_model_schema_name,
                     self.edit_model_schema_name, self.show_model_schema_name):
            schema = api_spec.components.schemas.get(name)
            if isinstance(schema, dict):
                schema.setdefault("properties", {})[CUSTOM] = dict(CUSTOM_SCHEMA)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func,
                                 **kwargs)
        if getattr(func, "__name__", "") == "get_list" and "get" in (operations or {}):
            spec = operations["get"]
            spec["description"] = (spec.get("description") or "") + FILTERS_DOC

