"""Capped counts for big tables: a list page never counts a million rows.

FAB runs `COUNT(*)` over the whole filtered query for every list page and
REST list, with no switch to turn it off. `CappedCountInterface` counts at
most `cap` + 1 rows instead (`SELECT count(*) FROM (... LIMIT cap + 1)`,
record rules and filters applied as usual) and returns a `CappedCount`: an
int that shows as "10,000+" on the list page and is `cap` in JSON when the
real count is larger. Pages past the cap still open (they are plain OFFSETs).

    datamodel = CappedCountInterface(Company)

The cap is the app setting `extra["list_count_cap"]` when given (tests use a
small one), else `DEFAULT_CAP`.

It also loads the page's related rows named in `eager_relations` in one
query each (FAB's list would load each row's company, person or owner one by
one when the list shows them):

    datamodel = CappedCountInterface(Lead, eager_relations=("company", "person"))
"""
from __future__ import annotations

from flask import current_app, has_app_context
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

DEFAULT_CAP = 10_000


class CappedCount(int):
    """A row count that may stand for "at least this many"."""

    capped: bool

    def __new__(cls, value: int, capped: bool = False):
        obj = super().__new__(cls, value)
        obj.capped = capped
        return obj

    def __str__(self) -> str:
        return f"{int(self):,}+" if self.capped else str(int(self))

    def __html__(self) -> str:
        return str(self)


def count_cap() -> int:
    if has_app_context() and "crossdock" in current_app.extensions:
        extra = current_app.extensions["crossdock"].settings.extra or {}
        return int(extra.get("list_count_cap", DEFAULT_CAP))
    return DEFAULT_CAP


class CappedCountInterface(SQLAInterface):
    """FAB's SQLAInterface whose list count stops at the cap, and whose list
    pages load `eager_relations` with the page."""

    eager_relations: tuple[str, ...] = ()

    def __init__(self, obj, session=None, eager_relations: tuple[str, ...] | None = None):
        super().__init__(obj, session)
        if eager_relations is not None:
            self.eager_relations = tuple(eager_relations)

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        query = super().apply_all(query, filters, order_column, order_direction, page,
                                  page_size, select_columns, outer_default_load)
        if select_columns or not self.eager_relations:  # REST: FAB joins what it selects
            return query
        relations = inspect(self.obj).relationships
        return query.options(*(selectinload(getattr(self.obj, name))
                               for name in self.eager_relations if name in relations))

    def query_count(self, query, filters=None, select_columns=None) -> int:
        cap = count_cap()
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        # ids only: the owner_id (or any filter's) index alone can answer it
        counted = inner.with_entities(self.get_pk()).limit(cap + 1).count()
        return CappedCount(min(counted, cap), capped=counted > cap)
