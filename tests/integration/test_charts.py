"""Addon charts (core.views.charts) are drawn with Chart.js served by Crossdock.

The chart page references scripts on this server only, the vendored Chart.js
is served, and the page carries FAB's aggregated data for the rows the user may
see (record rules still apply: a Salesperson's chart counts their own notes).
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from core.db import db
from tests.helpers import add_user, install, login

CHARTJS = "/static/crossdock/vendor/chartjs/chart.umd.min.js"
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
LINK_HREF = re.compile(r"<link\b[^>]*\bhref=\"([^\"]+)\"", re.IGNORECASE)
CHART_DATA = re.compile(r"var jsonDataNoteChartView = (\{.*\});")


def make_notes(app, owners: dict[str, int]):
    with app.app_context():
        from example_notes.models import Note

        for username, count in owners.items():
            user = app.appbuilder.sm.find_user(username=username)
            for i in range(count):
                db.session.add(Note(title=f"{username} {i}", owner_id=user.id))
        db.session.commit()


def chart_rows(html: str) -> dict[str, float]:
    data = json.loads(CHART_DATA.search(html).group(1))
    assert [c["type"] for c in data["cols"]] == ["string", "number"]
    return {r["c"][0]["v"]: r["c"][1]["v"] for r in data["rows"]}


def test_chart_page_uses_local_scripts_and_aggregates(app):
    install(app, "example_notes")
    add_user(app, "boss", ["Admin"])
    add_user(app, "sam", ["Salesperson"])
    make_notes(app, {"boss": 2, "sam": 3})

    client = app.test_client()
    login(client, "boss")
    resp = client.get("/notechartview/chart/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)

    scripts = SCRIPT_SRC.findall(html)
    assert CHARTJS in scripts
    remote = [url for url in scripts + LINK_HREF.findall(html)
              if urlsplit(url).scheme or urlsplit(url).netloc]
    assert not remote, remote
    assert "gstatic" not in html and "google" not in html.lower()
    assert 'id="chart-NoteChartView"' in html and "<canvas" in html

    # FAB's grouping and count: one bar per owner
    assert chart_rows(html) == {"boss": 2, "sam": 3}

    # The script itself is served, from the vendored file
    js = client.get(CHARTJS)
    assert js.status_code == 200
    assert js.mimetype in ("text/javascript", "application/javascript")
    assert b"Chart.js v4" in js.data[:200]
    js.close()

    # Record rules still shape the data: a Salesperson counts only their own notes
    own = app.test_client()
    login(own, "sam")
    resp = own.get("/notechartview/chart/")
    assert resp.status_code == 200
    assert chart_rows(resp.get_data(as_text=True)) == {"sam": 3}


def test_chart_types_map_to_chartjs():
    from core.views.charts import ChartJsWidget, chartjs_config

    assert chartjs_config("ColumnChart") == {"type": "bar"}
    assert chartjs_config("BarChart") == {"type": "bar", "indexAxis": "y"}
    assert chartjs_config("PieChart") == {"type": "pie"}
    assert chartjs_config("AreaChart") == {"type": "line", "fill": True}
    assert chartjs_config("SomethingElse") == {"type": "bar"}
    assert ChartJsWidget(chart_type="LineChart").template_args["chartjs"] == {"type": "line"}
