"""Contacts on a phone (390 x 844, an iPhone 12-14 screen) in Chromium, against
`crossdock run` with the demo data loaded through the CLI: the page never
scrolls sideways (wide tables scroll inside their box), the navbar collapses
behind its toggle, and a note can be logged on a company's timeline."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import WIDTH, assert_no_sideways_scroll, open_menu
from tests.live_server import cli

pytestmark = pytest.mark.browser

@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844},
                                  device_scale_factor=3, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(20_000)
    yield context.new_page()
    context.close()


def test_contacts_on_a_phone(server, phone):
    cli(server, "addons", "install", "contacts")
    loaded = cli(server, "contacts", "demo", "--companies", "30", "--people", "60")
    assert "companies added: 30" in loaded
    page = phone

    page.goto(server.url + "/login/")
    assert_no_sideways_scroll(page, "login")
    page.fill("input[name=username]", server.username)
    page.fill("input[name=password]", server.password)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")

    # the menu hides behind the toggle, and opens from it
    contacts_menu = page.locator(".navbar a.dropdown-toggle", has_text="Contacts")
    expect(contacts_menu).to_be_hidden()
    page.locator(".navbar-toggle").click()
    expect(contacts_menu).to_be_visible()
    open_menu(page, "Contacts", "Companies")
    assert "/companyview/list" in page.url
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    assert_no_sideways_scroll(page, "companies")
    # the list table is wider than the phone: it scrolls inside its own box
    box = page.locator("div.table-responsive", has=page.locator("table tbody tr")).first
    expect(box).to_be_visible()
    assert box.evaluate("e => e.scrollWidth >= e.clientWidth && e.clientWidth <= window.innerWidth")

    # a company's page, with its timeline
    with page.expect_navigation():
        page.locator("table tbody tr a[href*='/companyview/show/']").first.click()
    company_url = page.url
    timeline = page.locator("#timeline")
    expect(timeline).to_be_visible()
    assert_no_sideways_scroll(page, "company")

    # log a call through the form
    timeline.locator("select[name=kind]").select_option("call")
    subject = timeline.locator("input[name=subject]")
    subject.scroll_into_view_if_needed()
    expect(subject).to_be_visible()
    subject.fill("Called from the phone 手机")
    timeline.locator("textarea[name=body]").fill("Customer wants a visit next week.")
    with page.expect_navigation():
        timeline.locator("button[type=submit]").click()
    expect(page.locator(".alert", has_text="Logged on the timeline.")).to_be_visible()
    first = page.locator("#timeline-entries .timeline-entry").first
    expect(first).to_contain_text("Called from the phone 手机")
    expect(first.locator(".timeline-author")).to_have_text(server.username)
    expect(first.locator(".fa-phone")).to_have_count(1)
    assert page.url.split("#")[0] == company_url.split("#")[0]
    assert_no_sideways_scroll(page, "company-logged")

    # the add form: fields stack, the save button is reachable
    page.goto(server.url + "/companyview/add")
    name = page.locator("input[name=name]")
    expect(name).to_be_visible()
    field = name.bounding_box()
    assert field["x"] >= 0 and field["x"] + field["width"] <= WIDTH
    save = page.locator("#model_form button[type=submit]").first
    save.scroll_into_view_if_needed()
    expect(save).to_be_visible()
    assert_no_sideways_scroll(page, "company-add")
    name.fill("手机测试有限公司")
    with page.expect_navigation():
        save.click()
    expect(page.locator(".alert", has_text=re.compile("Added|添加"))).to_be_visible()
