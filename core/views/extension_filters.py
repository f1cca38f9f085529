"""List filters of other addons' columns (core/addons/model_extension.py).

FAB builds a screen's or API's `Filters` once, from a datamodel made before
other addons extended the model: an extension column has no filters there,
and the datamodel does not know its type. `with_columns` copies such a
`Filters` (no active filter) with the filters of the given columns.
"""
from __future__ import annotations

import copy

from sqlalchemy import inspect

from .literal_like_filters import literal_converter


def _know_types(datamodel, names: list[str]) -> None:
    """Give FAB's datamodel the columns' types, as it would have read them had it
    been made after the extension: a filter converts its value by them, and
    FAB's inner list query rebuilds every filter on this datamodel. Only the
    types (`list_columns`); its list of every column is left as it was."""
    columns = inspect(datamodel.obj).columns
    for name in names:
        if name not in datamodel.list_columns:
            datamodel.list_columns[name] = columns[name]


def with_columns(filters, names: list[str]):
    """A copy of `filters` that can also filter on `names` (extension columns of its model)."""
    _know_types(filters.datamodel, names)
    extended = copy.copy(filters)
    extended.clear_filters()
    converter = literal_converter(filters.filter_converter)(filters.datamodel)
    added = {n: found for n in names if (found := converter.convert(n))}
    extended._search_filters = {**filters._search_filters, **added}
    extended._all_filters = {**filters._all_filters, **added}
    extended.search_columns = [*filters.search_columns,
                               *(n for n in added if n not in filters.search_columns)]
    return extended
