"""The start page: each user's tiles (core/home_tiles.py). A salesperson sees
their own activities due and pipeline in numbers (counts equal to the rows
inserted for them, nobody else's), an Admin also the hub's backlog and failed
jobs, and the sales tiles vanish while the addon is disabled."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from core.addons import lifecycle
from core.db import db
from tests.helpers import add_user, install, login

TODAY = dt.datetime.now(dt.timezone.utc).date()
DAY = dt.timedelta(days=1)
TILE_START = 'home-tile" data-title="'
FIGURE = re.compile(r'data-label="([^"]*)" data-value="([^"]*)"')


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s2": add_user(app, "s2", ["Salesperson"], "A"),
             "boss": add_user(app, "boss", ["Admin"])}
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Activity, Lead
        from connectors.hub.models import Backend, SyncJob

        acme = Company(name="Acme", owner_id=users["s1"])
        db.session.add(acme)
        db.session.flush()

        def activity(owner, summary, due, done=False):
            return Activity(kind="call", summary=summary, due_date=due, owner_id=users[owner],
                            company_id=acme.id, done_at=dt.datetime(2026, 1, 1) if done else None)

        def deal(owner, name, revenue, **kw):
            return Lead(name=name, owner_id=users[owner], type=kw.pop("type", "opportunity"),
                        expected_revenue=Decimal(revenue), **kw)

        db.session.add_all([
            activity("s1", "Call back Acme", TODAY - 2 * DAY),
            activity("s1", "Send the offer", TODAY - DAY),
            activity("s1", "Visit the plant", TODAY),
            activity("s1", "Quarterly review", TODAY + 3 * DAY),  # not due yet
            activity("s1", "Old call, done", TODAY - 5 * DAY, done=True),
            *(activity("s2", f"Colleague's call {n}", TODAY - DAY) for n in range(3)),
            deal("s1", "500 pumps", "1000.00"), deal("s1", "Valves", "2000.00"),
            deal("s1", "Spare parts", "500.50"),
            deal("s1", "Won last month", "7000.00", status="won"),
            deal("s1", "Just a lead", "300.00", type="lead"),
            deal("s2", "Colleague's deal", "9999.00"), deal("s2", "Another", "1.00"),
        ])
        backend = Backend(name="erp", kind="tryton", url="http://127.0.0.1:9", active=True)
        db.session.add(backend)
        db.session.flush()
        db.session.add_all([
            SyncJob(kind="sales.order.push", backend_id=backend.id, model="sales.order",
                    record_id=n, record_key=f"{backend.id}:o{n}", identity_key=f"push:{n}",
                    state=state, last_error="unknown product CD-X" if state == "failed" else None)
            for n, state in enumerate(["failed", "queued", "pending", "done"], start=1)])
        db.session.commit()
    return app


def _tiles(client, path="/") -> dict[str, dict]:
    """{tile title: {"figures": {label: value}, "html": its markup}}"""
    resp = client.get(path)
    assert resp.status_code == 200
    tiles = {}
    for markup in resp.get_data(as_text=True).split(TILE_START)[1:]:  # the last runs on
        title, body = markup.split('"', 1)
        tiles[unescape(title)] = {"figures": {unescape(k): v for k, v in FIGURE.findall(body)},
                                  "html": body}
    return tiles


def test_a_salesperson_sees_their_own_figures_only(world):
    client = world.test_client()
    login(client, "s1")
    tiles = _tiles(client)
    assert list(tiles) == ["My activities due", "My pipeline"]  # no hub tiles
    due = tiles["My activities due"]
    assert due["figures"] == {"Overdue": "2", "Today": "1"}
    for summary in ("Call back Acme", "Send the offer", "Visit the plant"):
        assert summary in due["html"]
    for summary in ("Quarterly review", "Old call, done", "Colleague"):
        assert summary not in due["html"]
    assert 'href="/sales/activities/my"' in due["html"]
    pipeline = tiles["My pipeline"]
    assert pipeline["figures"] == {"Open opportunities": "3",
                                   "Expected revenue": "3,500.50 CNY"}

    other = world.test_client()
    login(other, "s2")
    tiles = _tiles(other)
    assert tiles["My activities due"]["figures"] == {"Overdue": "3", "Today": "0"}
    assert tiles["My pipeline"]["figures"]["Open opportunities"] == "2"


def test_an_admin_also_sees_the_sync_backlog_and_failed_jobs(world):
    client = world.test_client()
    login(client, "boss")
    tiles = _tiles(client)
    assert list(tiles) == ["My activities due", "My pipeline", "Sync backlog",
                           "Failed sync jobs"]
    assert tiles["Sync backlog"]["figures"]["Waiting jobs"] == "2"
    failed = tiles["Failed sync jobs"]
    assert failed["figures"] == {"Failed": "1"}
    assert "unknown product CD-X" in failed["html"]
    assert 'href="/hub/jobs/?state=failed"' in failed["html"]

    chinese = _tiles(client, "/?_l_=zh")
    assert "同步积压" in chinese and "失败的同步作业" in chinese


def test_the_sales_tiles_vanish_while_sales_is_disabled(world):
    with world.app_context():
        lifecycle.disable(db.session, world.extensions["crossdock"].runtime, ["sales"])
    salesperson, admin = world.test_client(), world.test_client()
    login(salesperson, "s1")
    login(admin, "boss")
    assert _tiles(salesperson) == {}
    assert "Welcome to Crossdock" in salesperson.get("/").get_data(as_text=True)
    assert list(_tiles(admin)) == ["Sync backlog", "Failed sync jobs"]


def test_a_visitor_is_shown_the_way_in(app):
    page = app.test_client().get("/").get_data(as_text=True)
    assert "Welcome to Crossdock" in page and 'href="/login/' in page
