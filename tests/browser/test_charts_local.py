"""An addon chart in Chromium: drawn by the Chart.js this server serves.

Install example_notes through the Modules screen, add two notes (one owned
by the admin, one without owner), open
Examples > Notes per owner: every request stays on this host, the canvas is
drawn with the two notes, and the chart fits a phone-wide screen.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.actions import LOCAL_HOSTS, log_in, open_menu

pytestmark = pytest.mark.browser

ADDON = "example_notes"
SCREENSHOT = "/tmp/crossdock-chart.png"
SCREENSHOT_PHONE = "/tmp/crossdock-chart-phone.png"
CANVAS = "canvas#chart-NoteChartView"

# The Chart instance on the canvas, its data total, and whether pixels were painted.
CHART_STATE = """(selector) => {
    const canvas = document.querySelector(selector);
    const chart = canvas && window.Chart && Chart.getChart(canvas);
    if (!chart) return null;
    const ctx = canvas.getContext("2d");
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
    const values = chart.data.datasets.flatMap(d => d.data);
    return {type: chart.config.type, labels: chart.data.labels,
            total: values.reduce((a, b) => a + b, 0), painted: painted,
            cssWidth: canvas.clientWidth, cssHeight: canvas.clientHeight,
            chartWidth: chart.width};
}"""


def add_note(page, server, title: str, owner: str | None = None):
    page.goto(server.url + "/noteview/add")
    page.fill("input[name=title]", title)
    if owner:  # the <select> behind the select2 widget
        page.select_option("select[name=owner]", label=owner, force=True)
    with page.expect_navigation():
        page.locator("form#model_form button[type=submit]", has_text="Save").click()
    expect(page.locator(".alert", has_text="Added Row")).to_be_visible()


def chart_state(page):
    page.wait_for_function(f"() => {{ const s = ({CHART_STATE})({CANVAS!r});"
                           " return s && s.painted > 0; }")
    # let the entry animation finish before measuring and taking pictures
    page.wait_for_function(f"() => !Chart.animator.running("
                           f"Chart.getChart(document.querySelector({CANVAS!r})))")
    return page.evaluate(CHART_STATE, CANVAS)


def test_chart_drawn_with_local_chartjs(server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    log_in(page, server)
    page.goto(server.url + "/modules/")
    with page.expect_navigation():
        page.locator(f"tr#module-{ADDON} button[name=install]").click()
    expect(page.locator(".alert", has_text=f"Installed: {ADDON}")).to_be_visible()

    add_note(page, server, "Call the warehouse", owner="Admin Crossdock")
    add_note(page, server, "Book the truck")  # no owner

    open_menu(page, "Examples", "Notes per owner")
    assert urlsplit(page.url).path.startswith("/notechartview/chart")
    page.wait_for_load_state("networkidle")

    state = chart_state(page)
    assert state["type"] == "bar"
    assert state["total"] == 2, state
    # one bar per owner, FAB's order: no owner (shown as a dash) then admin
    assert state["labels"] == ["\u2014", server.username], state
    assert state["painted"] > 1000, state  # bars, axes and labels, not a blank canvas
    assert state["cssWidth"] > 600 and state["cssHeight"] > 200, state
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Every request went to this server; Chart.js came from our own static route.
    foreign = [url for url in requested
               if not url.startswith(("data:", "blob:"))
               and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not foreign, foreign
    assert any(urlsplit(url).path == "/static/crossdock/vendor/chartjs/chart.umd.min.js"
               for url in requested), requested

    # Phone width: the chart shrinks with the page and is redrawn.
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_function(f"() => document.querySelector({CANVAS!r}).clientWidth <= 375"
                           f" && Chart.getChart(document.querySelector({CANVAS!r})).width <= 375")
    phone = chart_state(page)
    assert 0 < phone["cssWidth"] <= 375 and phone["chartWidth"] <= 375, phone
    assert phone["painted"] > 1000 and phone["total"] == 2, phone
    box = page.locator(CANVAS).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    page.screenshot(path=SCREENSHOT_PHONE, full_page=True)
