"""List filters of other addons' columns (core/addons/model_extension.py).

FAB builds a screen's or API's `Filters` once, from a datamodel made before
other addons extended the model; an extension column has no filters there.
`with_columns` copies such a `Filters` (no active filter) with the filters of
the given columns, converted from an interface made after the extension.
"""
from __future__ import annotations

import copy

from .literal_like_filters import literal_converter


def with_columns(filters, interface, names: list[str]):
    """A copy of `filters` that can also filter on `names` (columns of `interface`'s model)."""
    extended = copy.copy(filters)
    extended.clear_filters()
    converter = literal_converter(filters.filter_converter)(interface)
    added = {n: found for n in names if (found := converter.convert(n))}
    extended._search_filters = {**filters._search_filters, **added}
    extended._all_filters = {**filters._all_filters, **added}
    extended.search_columns = [*filters.search_columns,
                               *(n for n in added if n not in filters.search_columns)]
    return extended
