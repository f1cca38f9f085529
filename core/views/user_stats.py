"""FAB's "User's Statistics" (Security menu: logins and failed logins per
user), drawn with the Chart.js this server serves: FAB's own page loads
Google Charts from www.gstatic.com at run time (blank offline, and a page
of ours calling another host)."""
from __future__ import annotations

from flask_appbuilder.security.views import UserModelView, UserStatsChartView
from flask_babel import lazy_gettext as _l

from .charts import DirectByChart


class UserStatsChart(DirectByChart, UserStatsChartView):
    """FAB's definitions, search and query (its security manager sets the
    datamodel); only the page and chart widget are ours, and the charts'
    names, which FAB leaves untranslated."""
    label_columns = {**UserModelView.label_columns,  # its search form: FAB's user labels
                     **UserStatsChartView.label_columns}
    definitions = [
        {"label": _l("Login count"), "group": "username", "series": ["login_count"]},
        {"label": _l("Failed login count"), "group": "username",
         "series": ["fail_login_count"]},
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # FAB's chart init relabels the group column with the last chart's name
        self.label_columns = {**self.label_columns,
                              "username": UserStatsChartView.label_columns["username"]}

    def _prettify_column(self, name: str):
        """FAB's chart init names the series columns by prettifying them ("Login
        Count", in English whatever the language): their labels instead."""
        return self.label_columns.get(name) or super()._prettify_column(name)
