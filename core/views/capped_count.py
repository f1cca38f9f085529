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
"""
from __future__ import annotations

from flask import current_app, has_app_context
from flask_appbuilder.models.sqla.interface import SQLAInterface

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
    """FAB's SQLAInterface whose list count stops at the cap."""

    def query_count(self, query, filters=None, select_columns=None) -> int:
        cap = count_cap()
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        # ids only: the owner_id (or any filter's) index alone can answer it
        counted = inner.with_entities(self.get_pk()).limit(cap + 1).count()
        return CappedCount(min(counted, cap), capped=counted > cap)
