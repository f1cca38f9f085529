"""A person's company picked by typing (views/company_picker.py) in Chromium,
against `crossdock run`: FAB's select2 asks the addon for matches, the
chosen company is saved, and the edit form shows it preselected."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import log_in
from tests.live_server import cli

pytestmark = pytest.mark.browser


def test_company_picked_by_typing(server, page):
    cli(server, "addons", "install", "contacts")
    log_in(page, server)
    for name in ("Picker Target 有限公司", "Other Company Ltd"):
        page.goto(server.url + "/companyview/add")
        page.fill("input[name=name]", name)
        with page.expect_navigation():
            page.locator("#model_form button[type=submit]").first.click()

    page.goto(server.url + "/personview/add")
    page.fill("input[name=name]", "Wang Fang")
    page.locator("select[name=company] + .select2-container").click()
    page.locator(".select2-search__field[aria-controls=select2-company-results]").fill("target")
    choice = page.locator(".select2-results__option", has_text="Picker Target 有限公司")
    expect(choice).to_be_visible()
    expect(page.locator(".select2-results__option", has_text="Other Company")).to_have_count(0)
    choice.click()
    with page.expect_navigation():
        page.locator("#model_form button[type=submit]").first.click()
    expect(page.locator(".alert", has_text=re.compile("Added|添加"))).to_be_visible()

    page.goto(server.url + "/personview/list/")
    with page.expect_navigation():
        page.locator("table tbody tr a[href*='/personview/edit/']").first.click()
    expect(page.locator("select[name=company] + .select2-container")).to_contain_text(
        "Picker Target 有限公司")
