"""Date and date-time fields of FAB forms in Chromium (issue 19): a date and a
time typed key by key, and values set the way the browser's picker sets them,
arrive and are stored; the time is read in the user's zone (Asia/Shanghai
here) and stored in UTC. FAB's bootstrap-datepicker used to drop the time
and wipe a date set without a key press (core/views/date_inputs.py)."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.actions import log_in
from tests.live_server import cli, run_script

pytestmark = pytest.mark.browser

SEED = """
import sys
from core.app import create_app
from core.db import db
from core.i18n import UserPreference
from addons.contacts.models import Company
app = create_app()
with app.app_context():
    admin = app.appbuilder.sm.find_user(username=sys.argv[1])
    db.session.add(UserPreference(user_id=admin.id, time_zone="Asia/Shanghai"))
    db.session.add(Company(name="Acme", owner_id=admin.id, team_id=None))
    db.session.commit()
"""


def _seed(server):
    cli(server, "addons", "install", "sales")
    run_script(server, SEED, server.username)


def _stored(server) -> tuple[int, str, dt.datetime]:
    """The one activity's id, due date and reminder (UTC) as the database holds them."""
    with sqlite3.connect(server.instance / "crossdock.sqlite") as conn:
        pk, due, remind = conn.execute(
            "SELECT id, due_date, remind_at FROM sales_activity").fetchone()
    return pk, due, dt.datetime.fromisoformat(remind)


def _save(page):
    with page.expect_navigation():
        page.locator("#model_form button[type=submit]").first.click()
    expect(page.locator("#model_form .alert-danger, .has-error")).to_have_count(0)


def _shown(page, label: str):
    return page.locator("tr", has=page.locator("th", has_text=label)).locator("td")


@pytest.fixture
def us_page(browser):
    # en-US: the order of the date-time input's parts the keys are typed into
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_typed_and_picked_dates_and_times_arrive_in_the_users_zone(server, us_page):
    page = us_page
    _seed(server)
    log_in(page, server)

    # typed key by key, as a person does: 7 Dec 2026, reminder at 09:30 Shanghai time
    page.goto(server.url + "/activityview/add")
    page.fill("#summary", "Call Acme")
    page.locator("#due_date").focus()
    page.keyboard.type("12072026")
    page.locator("#remind_at").focus()
    page.keyboard.type("12072026")
    page.keyboard.press("Tab")
    page.keyboard.type("0930AM")
    assert page.locator("#remind_at").input_value() == "2026-12-07T09:30"
    page.select_option("select#company", label="Acme")
    _save(page)
    pk, due, remind = _stored(server)
    assert (due, remind) == ("2026-12-07", dt.datetime(2026, 12, 7, 1, 30))
    page.goto(f"{server.url}/activityview/show/{pk}")
    expect(_shown(page, "Due date")).to_contain_text("2026-12-07")
    expect(_shown(page, "Remind at")).to_contain_text("2026-12-07 09:30")

    # the edit form shows the stored time in the user's zone; then new values
    # set the way the picker sets them (no key press): 8 Dec, 14:45 Shanghai
    page.goto(f"{server.url}/activityview/edit/{pk}")
    assert page.locator("#remind_at").input_value() == "2026-12-07T09:30"
    assert page.locator("#due_date").input_value() == "2026-12-07"
    page.fill("#due_date", "2026-12-08")
    page.fill("#remind_at", "2026-12-08T14:45")
    page.locator("#summary").click()  # the picker closes, nothing rewrites the values
    _save(page)
    assert _stored(server) == (pk, "2026-12-08", dt.datetime(2026, 12, 8, 6, 45))
    page.goto(f"{server.url}/activityview/show/{pk}")
    expect(_shown(page, "Remind at")).to_contain_text("2026-12-08 14:45")
