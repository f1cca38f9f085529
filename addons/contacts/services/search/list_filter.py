"""The contacts search as a FAB filter on the name column: operator `search`.

Screens: the list's search box sends `_flt_0_name=<text>` (the filter is the
name column's first); FAB's other filters combine with it. REST:
`q=(filters:!((col:name,opr:search,value:'138 0013')))`, listed with the
other operators in the API's `_info`. The matches come from
services/search/scoped.py, already within the reader's record rules and in
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
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select

from core.views.capped_count import CappedCount, CappedCountInterface

from ...models import Company
from .scoped import ReaderSearch, reader_search

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

    def search(self, session, value) -> ReaderSearch | None:
        return reader_search(session, self.kind, _value(value))

    def apply(self, query, value):
        search = self.search(query.session, value)
        if search is None:
            return query
        every = search.every()
        if every is not None:
            return query.filter(_among(self.model, query.session, every))
        return query.filter(search.filter())


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

    def _lone_search(self, query, filters) -> ReaderSearch | None:
        """The search when it is the list's only filter."""
        if filters is None or len(filters.filters) != 1:
            return None
        flt = filters.filters[0]
        if not isinstance(flt, FilterContactSearch):
            return None
        return flt.search(query.session, filters.values[0])

    def query_count(self, query, filters=None, select_columns=None) -> int:
        search = self._lone_search(query, filters)
        if search is not None:
            return CappedCount(*search.count())
        return super().query_count(query, filters, select_columns)

    def _page_ids(self, search: ReaderSearch, order_column, order_direction, page,
                  page_size) -> tuple[int, ...] | None:
        """The page's ids from the search's name-ordered matches, when it has them."""
        if not page_size or order_column not in ("", SEARCHED_COLUMN):
            return None
        start = (page or 0) * page_size
        if order_direction != "desc":
            ids = search.leading(start + page_size)
        else:
            ids = search.every()
            ids = ids[::-1] if ids is not None else None
        return ids[start:start + page_size] if ids is not None else None

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        search = self._lone_search(query, filters)
        ids = self._page_ids(search, order_column, order_direction, page, page_size) \
            if search is not None else None
        if ids is not None:
            # the page's rows by id, ordered again (record rules apply as ever)
            query = query.filter(self.obj.id.in_(ids))
            filters, page = None, None
            order_column, order_direction = SEARCHED_COLUMN, order_direction or "asc"
        return super().apply_all(query, filters, order_column, order_direction, page,
                                 page_size, select_columns, outer_default_load)
