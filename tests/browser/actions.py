"""What a person does in the browser, shared by the browser tests."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def log_in(page, server):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", server.username)
    page.fill("input[name=password]", server.password)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")
    # Logged in: away from the login page, and the navbar offers the Settings menu.
    assert urlsplit(page.url).path != "/login/", page.url
    expect(page.locator(".navbar a.dropdown-toggle", has_text="Settings")).to_be_visible()


def open_menu(page, category: str, item: str):
    """Open a navbar dropdown and follow one of its entries."""
    page.locator(".navbar a.dropdown-toggle", has_text=category).click()
    entry = page.locator(".navbar ul.dropdown-menu a", has_text=re.compile(rf"^\s*{item}\s*$"))
    expect(entry).to_be_visible()
    with page.expect_navigation():
        entry.click()
