"""Custom fields as FAB filters, on the list pages and over REST.

Each active field appears as a filterable column ``custom_<key>`` (not a
model column: FAB's filter machinery only needs a name). The operators
depend on the field's type:

====================  =================================================
text                  ``custom_ct`` (contains), ``custom_eq`` (equal, any case)
number, date          ``custom_eq``, ``custom_gt`` (greater/after), ``custom_lt``
choice, user          ``custom_eq`` (a user by username or e-mail)
boolean               ``custom_eq`` with yes/no (no: not set to yes)
====================  =================================================

REST: ``q=(filters:!((col:custom_segment,opr:custom_eq,value:Retail)))``.
A value that does not parse for the field is a 400 over REST
(``check_filter_values``) and matches nothing on the list page.

Each filter is an EXISTS over contacts_custom_value correlated with the
contact of the ORM query, so the contact's record rules still decide which
rows there are: a filter can only narrow what the reader may see.

Fields are defined at run time, so the set of columns is built per request:
``with_custom_columns`` copies the view's or API's FAB ``Filters`` and adds
the current fields to it.
"""
from __future__ import annotations

import copy

from flask import g
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, false, func, not_
from sqlalchemy.orm import Session

from ...models.custom_field import CustomField
from ...models.custom_value import VALUE_COLUMN, CustomValue
from ...rules.field_error import ContactFieldError
from .values import PARENT_COLUMN, fields_for, parse_value

PREFIX = "custom_"


def column_of(field: CustomField) -> str:
    """The filter/list/form column name of a field."""
    return PREFIX + field.key


def kind_of_model(model) -> str:
    return "company" if model.__tablename__ == "contacts_company" else "person"


def current_fields(session: Session, kind: str) -> list[CustomField]:
    """fields_for, read once per request (forms, list, filters share it)."""
    cache = g.setdefault("_contacts_custom_fields", {})
    if kind not in cache:
        cache[kind] = fields_for(session, kind)
    return cache[kind]


class CustomValueFilter(BaseFilter):
    """One operator over the values of the field named by the column (custom_<key>)."""

    def _field(self) -> CustomField | None:
        kind = kind_of_model(self.model)
        key = self.column_name[len(PREFIX):]
        session = self.datamodel.session
        return next((f for f in current_fields(session, kind) if f.key == key), None)

    def parsed(self, value):
        """The filter value as the field stores it; ContactFieldError if it does not fit."""
        if isinstance(value, list):  # the HTML form sends a list per argument
            value = value[0] if value else ""
        field = self._field()
        if field is None:
            raise ContactFieldError(self.column_name, "no such custom field")
        if self.arg_name == "custom_ct":
            return field, str(value).strip()
        return field, parse_value(field, value)

    def _exists(self, field: CustomField, condition):
        parent = getattr(CustomValue, PARENT_COLUMN[kind_of_model(self.model)])
        return exists().where(parent == self.model.id, CustomValue.field_id == field.id,
                              condition)

    def apply(self, query, value):
        try:
            field, parsed = self.parsed(value)
        except ContactFieldError:
            return query.filter(false())
        if parsed is None or parsed == "":
            return query
        return query.filter(self.condition(field, getattr(CustomValue,
                                                          VALUE_COLUMN[field.field_type]),
                                           parsed))

    def condition(self, field, column, value):
        raise NotImplementedError


class CustomEqual(CustomValueFilter):
    name = _l("Equal to")
    arg_name = "custom_eq"

    def condition(self, field, column, value):
        if field.field_type == "boolean" and value is False:
            # "no" includes contacts that never answered: the checkbox left empty
            return not_(self._exists(field, column.is_(True)))
        if field.field_type == "text":
            return self._exists(field, func.lower(column) == value.lower())
        return self._exists(field, column == value)


class CustomContains(CustomValueFilter):
    name = _l("Contains")
    arg_name = "custom_ct"

    def condition(self, field, column, value):
        pattern = "%" + value.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        return self._exists(field, func.lower(column).like(pattern, escape="\\"))


class CustomGreater(CustomValueFilter):
    name = _l("Greater than")
    arg_name = "custom_gt"

    def condition(self, field, column, value):
        return self._exists(field, column > value)


class CustomSmaller(CustomValueFilter):
    name = _l("Smaller than")
    arg_name = "custom_lt"

    def condition(self, field, column, value):
        return self._exists(field, column < value)


OPERATORS = {
    "text": (CustomContains, CustomEqual),
    "number": (CustomEqual, CustomGreater, CustomSmaller),
    "date": (CustomEqual, CustomGreater, CustomSmaller),
    "choice": (CustomEqual,),
    "boolean": (CustomEqual,),
    "user": (CustomEqual,),
}


def with_custom_columns(filters, fields: list[CustomField]):
    """A copy of FAB's `filters` (no active filter) with a column per custom field."""
    extended = copy.copy(filters)
    extended.clear_filters()
    added = {column_of(f): [op(column_of(f), filters.datamodel)
                            for op in OPERATORS[f.field_type]] for f in fields}
    extended._search_filters = {**filters._search_filters, **added}
    extended._all_filters = {**filters._all_filters, **added}
    extended.search_columns = [*filters.search_columns, *added]
    return extended


def check_filter_values(filters) -> None:
    """ContactFieldError naming the column for a custom filter value that does not parse."""
    for flt, value in filters.get_filters_values():
        if isinstance(flt, CustomValueFilter):
            try:
                flt.parsed(value)
            except ContactFieldError as exc:
                raise ContactFieldError(flt.column_name, exc.message) from None
