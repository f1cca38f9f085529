"""The contacts search as a FAB filter on the name column: operator `search`.

Screens: the list's search box sends `_flt_0_name=<text>` (the filter is the
name column's first); FAB's other filters combine with it. REST:
`q=(filters:!((col:name,opr:search,value:'138 0013')))`, listed with the
other operators in the API's `_info`. The candidate ids come from the index
(services/contact_search.py) and are joined to the ORM query, so record
rules and every other filter still apply.
"""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

from core.views.capped_count import CappedCountInterface

from ..models import Company
from .contact_search import search_ids

SEARCHED_COLUMN = "name"


class FilterContactSearch(BaseFilter):
    name = _l("Name, e-mail or phone contains")
    arg_name = "search"

    def apply(self, query, value):
        if isinstance(value, list):  # the HTML form sends a list per argument
            value = value[0] if value else ""
        kind = "company" if self.model is Company else "person"
        ids = search_ids(query.session, kind, str(value or ""))
        if ids is None:
            return query
        return query.filter(self.model.id.in_(ids.scalar_subquery()))


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

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        query = super().apply_all(query, filters, order_column, order_direction, page,
                                  page_size, select_columns, outer_default_load)
        if select_columns:  # REST: FAB joins the related columns it selects
            return query
        relations = inspect(self.obj).relationships
        return query.options(*(selectinload(getattr(self.obj, name))
                               for name in self.eager_relations if name in relations))
