"""The sales dashboard in Chromium against `crossdock run`: a Sales Manager
opens Sales > Dashboard; the funnel is drawn by the Chart.js this server
serves (no request leaves the host), its table shows the team's numbers (not
the other team's), and on a phone the page does not scroll sideways."""
from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.actions import (
    LOCAL_HOSTS,
    WIDTH,
    assert_no_sideways_scroll,
    open_menu,
)
from tests.live_server import EXAMPLE_ADDONS, REPO, cli

pytestmark = pytest.mark.browser

BOSS, PASSWORD = "boss", "Boss-pass-123"
CANVAS = "canvas#chart-funnel-0"
# team East: a manager and a seller with five opportunities (one lost in
# Qualified, one won), a USD one at 0.125 USD per CNY; team West's deal is
# someone else's and must not be counted
SEED = """
from datetime import date, datetime
from decimal import Decimal
from core.app import create_app
from core.db import db
from core.security.teams import Team
from core.users import create_user
from addons.sales.models import Currency, CurrencyRate, Lead, Stage

app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    boss = create_user(sm, "boss", "boss@example.com", "Boss-pass-123", ["Sales Manager"])
    seller = create_user(sm, "seller", "seller@example.com", "Seller-pass-123", ["Salesperson"])
    west = create_user(sm, "west", "west@example.com", "West-pass-123", ["Salesperson"])
    east_team, west_team = Team(name="East"), Team(name="West")
    east_team.members.extend([boss, seller])
    west_team.members.append(west)
    db.session.add_all([east_team, west_team])
    db.session.flush()
    usd = db.session.query(Currency).filter_by(code="USD").one()
    db.session.add(CurrencyRate(currency=usd, effective_date=date(2020, 1, 1),
                                rate=Decimal("0.125")))
    stages = {s.name: s for s in db.session.query(Stage).filter(Stage.team_id.is_(None))}
    cny = db.session.query(Currency).filter_by(code="CNY").one()
    for name, owner, team, stage, status, amount, cur in [
            ("Deal A", seller, east_team, "New", "open", "1000", cny),
            ("Deal B", boss, east_team, "New", "open", "100", usd),
            ("Deal C", seller, east_team, "Qualified", "open", "250.50", cny),
            ("Deal D", seller, east_team, "Qualified", "lost", "700", cny),
            ("Deal E", boss, east_team, "Won", "won", "3000", cny),
            ("West deal", west, west_team, "New", "open", "99999", cny)]:
        db.session.add(Lead(name=name, type="opportunity", owner_id=owner.id,
                            team_id=team.id, stage_id=stages[stage].id, status=status,
                            expected_revenue=Decimal(amount), currency_id=cur.id,
                            probability=50, expected_close=date(2026, 12, 15),
                            closed_at=datetime(2026, 11, 2) if status != "open" else None))
    db.session.commit()
"""
# what the manager's funnel table must say: stage -> open count, value (CNY),
# reached, conversion to the next stage (5 reached New, 3 Qualified, 1 the rest)
FUNNEL = {"New": ("2", "1,800.00", "5", "60.0%"),  # 1000 CNY + 100 USD / 0.125
          "Qualified": ("1", "250.50", "3", "33.3%"),
          "Proposition": ("0", "0.00", "1", "100.0%"),
          "Negotiation": ("0", "0.00", "1", "100.0%"),
          "Won": ("0", "0.00", "1", "\u2014")}

CHART_STATE = """(selector) => {
    const canvas = document.querySelector(selector);
    const chart = canvas && window.Chart && Chart.getChart(canvas);
    if (!chart) return null;
    const ctx = canvas.getContext("2d");
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
    return {labels: chart.data.labels, counts: chart.data.datasets[0].data,
            painted: painted, width: canvas.clientWidth};
}"""


def _seed(server):
    cli(server, "addons", "install", "sales")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(server.instance),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS))
    out = subprocess.run([sys.executable, "-c", SEED], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr


def _log_in(page, server):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", BOSS)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")


def _chart(page):
    page.wait_for_function(f"() => {{ const s = ({CHART_STATE})({CANVAS!r});"
                           " return s && s.painted > 0; }")
    page.wait_for_function(f"() => !Chart.animator.running("
                           f"Chart.getChart(document.querySelector({CANVAS!r})))")
    return page.evaluate(CHART_STATE, CANVAS)


def test_manager_sees_the_funnel_drawn_locally(server, page, browser):
    _seed(server)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _log_in(page, server)
    open_menu(page, "Sales", "Dashboard")
    assert urlsplit(page.url).path == "/sales/dashboard/"
    page.wait_for_load_state("networkidle")

    state = _chart(page)
    assert state["labels"] == list(FUNNEL), state
    assert state["counts"] == [int(v[0]) for v in FUNNEL.values()], state
    assert state["painted"] > 1000, state
    table = page.locator("table.funnel-table").first
    for stage, (count, value, reached, conversion) in FUNNEL.items():
        row = table.locator("tbody tr", has=page.locator("td.stage", has_text=stage))
        expect(row.locator("td.count")).to_have_text(count)
        expect(row.locator("td.value")).to_have_text(value)
        expect(row.locator("td.reached")).to_have_text(reached)
        expect(row.locator("td.conversion")).to_have_text(conversion)
    # won/lost and forecast tables: the team's deals only
    expect(page.locator("#lost-reason-table tbody td.count")).to_have_text(["1"])
    expect(page.locator("#forecast-table tr[data-month='2026-12'] td.count")).to_have_text("3")
    for name in ("forecast", "lost-reason", "by-owner", "backlog"):
        assert page.evaluate(f"() => !!Chart.getChart(document.getElementById('chart-{name}'))")

    foreign = [url for url in requested
               if not url.startswith(("data:", "blob:"))
               and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not foreign, foreign
    paths = {urlsplit(url).path for url in requested}
    assert "/static/crossdock/vendor/chartjs/chart.umd.min.js" in paths, paths
    assert "/static/addons/sales/dashboard.js" in paths, paths

    # the filter form narrows by GET: the seller alone owns one New deal
    page.select_option("#f-owner", label="seller")
    with page.expect_navigation():
        page.locator("#dashboard-filter button[type=submit]").click()
    assert "owner=" in page.url
    row = page.locator("table.funnel-table tbody tr", has=page.locator("td.stage",
                                                                        has_text="New"))
    expect(row.locator("td.count")).to_have_text("1")
    expect(row.locator("td.value")).to_have_text("1,000.00")

    # on a phone the charts shrink and the page does not scroll sideways
    phone = browser.new_context(viewport={"width": WIDTH, "height": 844},
                                device_scale_factor=3, is_mobile=True, has_touch=True)
    try:
        small = phone.new_page()
        _log_in(small, server)
        small.goto(server.url + "/sales/dashboard/")
        state = _chart(small)
        assert 0 < state["width"] <= WIDTH and state["painted"] > 0, state
        assert_no_sideways_scroll(small, "sales-dashboard")
    finally:
        phone.close()
