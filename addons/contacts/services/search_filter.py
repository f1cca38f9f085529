"""The contacts search as a FAB filter on the name column: operator `search`.

Screens: the list's search box sends `_flt_0_name=<text>` (the filter is the
name column's first); FAB's other filters combine with it. REST:
`q=(filters:!((col:name,opr:search,value:'138 0013')))`, listed with the
other operators in the API's `_info`. The matches come from
services/scoped_search.py, already within the reader's record rules and in
name order; they filter the ORM query by id, so record rules (applied to
every ORM query) and every other filter still apply. When the search is the
list's only filter, ContactInterface takes the page's ids and the count from
the search directly: a list of 25 rows reads 25 rows.
"""
from __future__ import annotations

import json

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_babel import lazy_gettext as _l
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, inspect, select
from sqlalchemy.orm import selectinload

from core.views.capped_count import CappedCount, CappedCountInterface

from ..models import Company
from .scoped_search import Found, find, walk_filter

SEARCHED_COLUMN = "name"


def _value(value) -> str:
    if isinstance(value, list):  # the HTML form sends a list per argument
        value = value[0] if value else ""
    return str(value or "")


def _among(model, session, ids) -> object:
    """`model.id` among `ids` (up to the count cap) as one parameter: an IN
    list of 10,000 would cost more to compile and bind than the query."""
    if session.get_bind().dialect.name == "postgresql":
        return model.id == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    listed = func.json_each(json.dumps(list(ids))).table_valued("value")
    return model.id.in_(select(listed.c.value))


class FilterContactSearch(BaseFilter):
    name = _l("Name, e-mail or phone contains")
    arg_name = "search"

    @property
    def kind(self) -> str:
        return "company" if self.model is Company else "person"

    def found(self, session, value) -> Found | None:
        return find(session, self.kind, _value(value))

    def apply(self, query, value):
        found = self.found(query.session, value)
        if found is None:
            return query
        if found.ids is not None and not found.capped:
            return query.filter(_among(self.model, query.session, found.ids))
        dialect = query.session.get_bind().dialect.name
        return query.filter(walk_filter(dialect, self.kind, found.match))


class ContactFilterConverter(SQLAFilterConverter):
    def convert(self, col_name):
        filters = super().convert(col_name)
        if col_name == SEARCHED_COLUMN and filters:
            return [FilterContactSearch(col_name, self.datamodel), *filters]
        return filters


class ContactInterface(CappedCountInterface):
    """Company/Person datamodel: capped counts, the indexed search filter, and
    the list page's related rows loaded in one query each (FAB would load the
    owner and company of each of the 25 rows one by one)."""

    filter_converter_class = ContactFilterConverter
    eager_relations = ("owner", "company", "tier")

    def _lone_search(self, query, filters) -> Found | None:
        """The search's answer when it is the list's only filter."""
        if filters is None or len(filters.filters) != 1:
            return None
        flt = filters.filters[0]
        if not isinstance(flt, FilterContactSearch):
            return None
        return flt.found(query.session, filters.values[0])

    def query_count(self, query, filters=None, select_columns=None) -> int:
        found = self._lone_search(query, filters)
        if found is not None:
            return CappedCount(found.count, capped=found.capped)
        return super().query_count(query, filters, select_columns)

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        found = self._lone_search(query, filters)
        descending = order_direction == "desc"
        if found is not None and found.ids is not None and page_size \
                and order_column in ("", SEARCHED_COLUMN) and not (descending and found.capped):
            # the matches are in (name, id) order: the page is a slice of them
            ids = found.ids[::-1] if descending else found.ids
            start = (page or 0) * page_size
            if start + page_size <= len(ids) or not found.capped:
                query = query.filter(self.obj.id.in_(ids[start:start + page_size]))
                filters, page = None, None
                order_column, order_direction = SEARCHED_COLUMN, order_direction or "asc"
        query = super().apply_all(query, filters, order_column, order_direction, page,
                                  page_size, select_columns, outer_default_load)
        if select_columns:  # REST: FAB joins the related columns it selects
            return query
        relations = inspect(self.obj).relationships
        return query.options(*(selectinload(getattr(self.obj, name))
                               for name in self.eager_relations if name in relations))
