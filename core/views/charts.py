"""Chart views for addons, drawn with Chart.js served by Crossdock itself.

FAB's GroupByChartView and DirectByChartView draw with Google Charts, loaded
from www.gstatic.com at run time: blank on an offline intranet. These
subclasses keep FAB's data side untouched -- the group-by definitions, the
search widget and filters, and the query through the datamodel (so record
rules, applied in the SQLAlchemy session, limit the chart like any list) --
and only swap the page and widget templates for ones that draw the same data
(FAB's Google DataTable JSON, still published as ``jsonData<ViewName>``) with
the vendored Chart.js in core/static/vendor/chartjs/.

Usage in an addon::

    from flask_appbuilder.models.group import aggregate_count
    from core.views.charts import GroupByChart

    class NoteChartView(GroupByChart):
        datamodel = SQLAInterface(Note)
        chart_title = "Notes per owner"
        definitions = [{"group": "owner_name", "series": [(aggregate_count, "id")]}]

``chart_type`` takes FAB's names (ColumnChart, BarChart, LineChart,
AreaChart, PieChart, DonutChart); ``height`` is the chart's CSS height, its
width follows the page (phones included).
"""
from __future__ import annotations

from flask_appbuilder.charts.views import DirectByChartView, GroupByChartView
from flask_appbuilder.widgets import RenderTemplateWidget

CHART_TEMPLATE = "crossdock/chart.html"
WIDGET_TEMPLATE = "crossdock/chart_widget.html"

# FAB (Google Charts) chart type -> how Chart.js draws it
CHART_TYPES: dict[str, dict] = {
    "ColumnChart": {"type": "bar"},
    "BarChart": {"type": "bar", "indexAxis": "y"},
    "LineChart": {"type": "line"},
    "AreaChart": {"type": "line", "fill": True},
    "PieChart": {"type": "pie"},
    "DonutChart": {"type": "doughnut"},
}


def chartjs_config(chart_type: str) -> dict:
    """Chart.js settings for one of FAB's chart type names (bars if unknown)."""
    return dict(CHART_TYPES.get(chart_type, CHART_TYPES["ColumnChart"]))


class ChartJsWidget(RenderTemplateWidget):
    """Draws FAB's chart data (Google DataTable JSON) with the local Chart.js."""

    template = WIDGET_TEMPLATE

    def __init__(self, **kwargs):
        kwargs.setdefault("chartjs", chartjs_config(kwargs.get("chart_type", "")))
        super().__init__(**kwargs)


class _LocalChart:
    """Mixin: local templates and widget; FAB's chart views do the rest."""

    chart_template = CHART_TEMPLATE
    chart_widget = ChartJsWidget
    height = "400px"


class GroupByChart(_LocalChart, GroupByChartView):
    """FAB's GroupByChartView (rows grouped and aggregated), drawn locally."""


class DirectByChart(_LocalChart, DirectByChartView):
    """FAB's DirectByChartView (column values as they are), drawn locally."""
