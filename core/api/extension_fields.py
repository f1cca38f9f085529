"""Other addons' columns on an API's model (core/addons/model_extension.py), in
the REST API while their addon is active: list, show, POST and PUT schemas,
`columns` of `q`, filters (`q`'s `filters`) and sort keys (`order_column`),
`_info` and the OpenAPI spec.

FAB builds the schemas and column lists once, when the API is created, and
subclasses set the lists as class attributes. So an API whose model has
extensions gets, per instance, a subclass whose properties answer FAB's
value plus the active extension columns (schemas built once per set of active
addons). An API with a hand-written schema keeps it as it is.
"""
from __future__ import annotations

from flask import has_request_context
from flask_appbuilder.models.sqla.interface import SQLAInterface

from ..addons.model_extension import active_addons, active_fields, field_names
from ..views.extension_filters import with_columns

COLUMN_LISTS = ("list_columns", "show_columns", "add_columns", "edit_columns",
                "list_select_columns", "show_select_columns", "search_columns",
                "order_columns")
SCHEMAS = {"list_model_schema": ("list_columns", "list_model_schema_name", True),
           "show_model_schema": ("show_columns", "show_model_schema_name", True),
           "add_model_schema": ("add_columns", "add_model_schema_name", False),
           "edit_model_schema": ("edit_columns", "edit_model_schema_name", False)}


def _extension_names(api) -> list[str]:
    return [f.name for f in active_fields(api.datamodel.obj) if f.column is not None]


def extension_filters(api, filters):
    """`filters` (built from the API's datamodel) able to filter on the active
    extension columns too (a copy), or `filters` itself when there are none."""
    names = _extension_names(api)
    return with_columns(filters, names) if names else filters


def _filters_property():
    """FAB's filters (read for `_info` and to check a `q`) with the active extension columns."""
    def getter(self):
        base = self.__dict__.get("_filters")
        if base is None or not has_request_context() or not _extension_names(self):
            return base  # outside a request (start-up's literal-LIKE swap): FAB's own
        cache = self.__dict__.setdefault("_extension_filters", {})
        key = active_addons()
        if key not in cache:
            cache[key] = extension_filters(self, base)
        return cache[key]

    def setter(self, value):
        self.__dict__["_filters"] = value
    return property(getter, setter)


def _base(api, name: str):
    """FAB's value: set on the instance by FAB, or the API class's attribute."""
    if name in api.__dict__:
        return api.__dict__[name]
    return getattr(type(api).__mro__[1], name, None)


def _column_list(name: str):
    def getter(self):
        base = _base(self, name)
        extra = _extension_names(self)
        if base is None or not extra:
            return base
        return [*base, *(n for n in extra if n not in base)]

    def setter(self, value):
        self.__dict__[name] = value
    return property(getter, setter)


def _schema(name: str, columns: str, schema_name: str, nested: bool):
    def getter(self):
        base = _base(self, name)
        if base is None or name not in self.__dict__.get("_generated_schemas", ()):
            return base
        extra = _extension_names(self)
        if not extra:
            return base
        cache = self.__dict__.setdefault("_extension_schemas", {})
        key = (name, active_addons())
        if key not in cache:
            converter = type(self.model2schemaconverter)(
                SQLAInterface(self.datamodel.obj, self.datamodel.session),
                self.validators_columns)
            cache[key] = converter.convert(getattr(self, columns), nested=nested,
                                           parent_schema_name=getattr(self, schema_name))
        return cache[key]

    def setter(self, value):
        self.__dict__[name] = value
    return property(getter, setter)


def with_extension_fields(api) -> None:
    """Give `api` (initialised by FAB) the active extension columns of its model."""
    if not field_names(api.datamodel.obj):
        return
    cls = type(api)
    attrs = {n: _column_list(n) for n in COLUMN_LISTS}
    attrs["_filters"] = _filters_property()
    for name, (columns, schema_name, nested) in SCHEMAS.items():
        attrs[name] = _schema(name, columns, schema_name, nested)
    # the schemas FAB will generate (create_blueprint): not the hand-written ones
    generated = {n for n in SCHEMAS if getattr(cls, n, None) is None}
    api.__dict__["_generated_schemas"] = generated
    api.__class__ = type(cls.__name__, (cls,), {**attrs, "__module__": cls.__module__,
                                                "__qualname__": cls.__qualname__})
