"""Filters for time-of-day columns (SQLAlchemy `Time`), which FAB has none for:
it logged "Filter type not supported for column: <name>" for each such column
of every view and API at every start (FAB builds filters for all columns,
whatever `search_columns` says).

    class ActivityInterface(TimeColumnFilters, CappedCountInterface): ...
"""
from __future__ import annotations

from flask_appbuilder.models.sqla.filters import (
    FilterEqual, FilterGreater, FilterNotEqual, FilterSmaller, SQLAFilterConverter)
from sqlalchemy import Time


class TimeFilterConverter(SQLAFilterConverter):
    conversion_table = (*SQLAFilterConverter.conversion_table,
                        ("is_time", [FilterEqual, FilterGreater, FilterSmaller, FilterNotEqual]))


class TimeColumnFilters:
    """Mixin for an SQLAInterface: time columns filter like dates (=, >, <, !=)."""
    filter_converter_class = TimeFilterConverter

    def is_time(self, col_name: str) -> bool:
        column = self.list_columns.get(col_name)
        return column is not None and isinstance(getattr(column, "type", None), Time)
