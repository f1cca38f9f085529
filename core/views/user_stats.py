"""FAB's "User's Statistics" (Security menu: logins and failed logins per
user), drawn with the Chart.js this server serves: FAB's own page loads
Google Charts from www.gstatic.com at run time (blank offline, and a page
of ours calling another host)."""
from __future__ import annotations

from flask_appbuilder.security.views import UserStatsChartView
from flask_babel import lazy_gettext as _l

from .charts import DirectByChart


class UserStatsChart(DirectByChart, UserStatsChartView):
    """FAB's definitions, search and query (its security manager sets the
    datamodel); only the page and chart widget are ours, and the charts'
    names, which FAB leaves untranslated."""
    definitions = [
        {"label": _l("Login count"), "group": "username", "series": ["login_count"]},
        {"label": _l("Failed login count"), "group": "username",
         "series": ["fail_login_count"]},
    ]
