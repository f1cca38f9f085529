"""What a person does in the browser, shared by the browser tests."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WIDTH = 390
SCREENSHOT = "/tmp/crossdock-contacts-phone-{}.png"
# the elements wider than the screen, named, for a useful failure message
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-responsive') || e.classList.contains('table-responsive'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def assert_no_sideways_scroll(page, name: str):
    page.screenshot(path=SCREENSHOT.format(name), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: page is {width}px wide: {page.evaluate(WIDEST)}"


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
