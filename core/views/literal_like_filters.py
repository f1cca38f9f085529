"""Text filters that match what was typed: `%` and `_` are characters, not wildcards.

FAB's starts-with, ends-with and contains filters (and their negations) put
the value into a LIKE pattern as it is, so a REST `opr:ct` with `%` matched
every row, and `a_b` matched `axb`. `use_literal_like_filters(appbuilder)`
runs once after every view and API is added and makes each datamodel build
the escaping versions below, for REST filters, list filters and search boxes
alike; filters a view had already built are swapped too. (REST filters pick
their class from the column's own filters, not from FAB's global table of
operator names: see `CrossdockModelRestApi._handle_filters_args`.)
"""
from __future__ import annotations

from flask_appbuilder.models.sqla import filters as fab

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern in which it matches only itself."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def _pattern(value, before: str, after: str):
    if isinstance(value, str):
        return f"{before}{escape_like(value)}{after}"
    return f"{before}{value}{after}"


def _literal(fab_filter: type, before: str, after: str, negated: bool) -> type:
    class Literal(fab_filter):
        def apply(self, query, value):
            query, field = fab.get_field_setup_query(query, self.model, self.column_name)
            condition = field.ilike(_pattern(value, before, after), escape=ESCAPE)
            return query.filter(~condition if negated else condition)

    Literal.__name__ = Literal.__qualname__ = f"Literal{fab_filter.__name__}"
    return Literal


LITERAL = {
    fab.FilterStartsWith: _literal(fab.FilterStartsWith, "", "%", False),
    fab.FilterNotStartsWith: _literal(fab.FilterNotStartsWith, "", "%", True),
    fab.FilterEndsWith: _literal(fab.FilterEndsWith, "%", "", False),
    fab.FilterNotEndsWith: _literal(fab.FilterNotEndsWith, "%", "", True),
    fab.FilterContains: _literal(fab.FilterContains, "%", "%", False),
    fab.FilterNotContains: _literal(fab.FilterNotContains, "%", "%", True),
}


def literal(flt):
    """`flt`, or its escaping version if it is one of FAB's LIKE filters."""
    cls = LITERAL.get(type(flt))
    if cls is None:
        return flt
    return cls(flt.column_name, flt.datamodel, is_related_view=flt.is_related_view)


class LiteralLikeConverter:
    """Mixed in before a filter converter: its LIKE filters escape the value.

    FAB builds a `Filters` for every column of the model on each `get` and list
    (about 1 ms a time, twice per REST call); a column's filters depend only on
    the datamodel and the column and are never changed once built, so they are
    built once per datamodel (a fresh list each time: FAB extends it)."""

    def convert(self, col_name):
        built = self.datamodel.__dict__.setdefault("_crossdock_filters", {})
        key = (type(self), col_name)
        if key not in built:
            built[key] = tuple(literal(f) for f in super().convert(col_name) or ())
        return list(built[key])


_converters: dict[type, type] = {}


def literal_converter(converter: type) -> type:
    if issubclass(converter, LiteralLikeConverter):
        return converter
    if converter not in _converters:
        _converters[converter] = type(f"Literal{converter.__name__}",
                                      (LiteralLikeConverter, converter), {})
    return _converters[converter]


def use_literal_like_filters(appbuilder) -> None:
    """Every registered view's and API's datamodel builds literal LIKE filters."""
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        converter = getattr(datamodel, "filter_converter_class", None)
        if not isinstance(converter, type):
            continue
        datamodel.filter_converter_class = literal_converter(converter)
        built = getattr(view, "_filters", None)  # FAB builds a view's filters once
        if built is None:
            continue
        built.filter_converter = literal_converter(built.filter_converter)
        # the search widget's filters, and those its `_flt_<i>_<col>` arguments index
        for table in (built._search_filters, built._all_filters):
            for items in table.values():
                items[:] = [literal(f) for f in items]
