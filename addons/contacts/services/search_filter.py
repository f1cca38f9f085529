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
    """Company/Person datamodel: capped counts and the indexed search filter."""

    filter_converter_class = ContactFilterConverter
