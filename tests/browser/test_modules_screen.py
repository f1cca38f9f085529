"""The Modules screen driven as a person would, in Chromium, against `crossdock run`.

Install example_notes, use its Notes screen, disable it (menu gone, pages 404),
enable it, and uninstall it through the confirmation page (backup named).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.actions import LOCAL_HOSTS, log_in, open_menu

pytestmark = pytest.mark.browser

ADDON = "example_notes"
SCREENSHOT = "/tmp/crossdock-modules.png"


def module_row(page, name: str = ADDON):
    return page.locator(f"tr#module-{name}")


def click_module_button(page, action: str, name: str = ADDON):
    with page.expect_navigation():
        module_row(page, name).locator(f"button[name={action}]").click()


def flash(page, text: str):
    """The flashed message that contains `text` (one of possibly several)."""
    return page.locator(".alert", has_text=text)


def test_install_use_disable_enable_uninstall(server, page):
    log_in(page, server)

    open_menu(page, "Settings", "Modules")
    assert urlsplit(page.url).path == "/modules/"
    row = module_row(page)
    expect(row).to_have_attribute("data-state", "uninstalled")
    expect(row.locator(".module-state")).to_have_text("uninstalled")
    # Before install there is no Examples menu.
    expect(page.locator(".navbar a.dropdown-toggle", has_text="Examples")).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Install.
    click_module_button(page, "install")
    expect(flash(page, f"Installed: {ADDON}")).to_be_visible()
    expect(row).to_have_attribute("data-state", "installed")
    expect(row.locator("button[name=disable]")).to_be_visible()
    expect(row.locator("button[name=install]")).to_have_count(0)

    # The Examples > Notes menu appeared; create a note through the form.
    open_menu(page, "Examples", "Notes")
    assert urlsplit(page.url).path.startswith("/noteview/list")
    with page.expect_navigation():
        page.locator("a[href*='/noteview/add']").first.click()
    page.fill("input[name=title]", "Call the warehouse")
    page.fill("textarea[name=body]", "About the crossdock schedule")
    with page.expect_navigation():
        page.locator("form#model_form button[type=submit]", has_text="Save").click()
    expect(flash(page, "Added Row")).to_be_visible()
    page.goto(server.url + "/noteview/list/")
    expect(page.locator("table", has_text="Call the warehouse")).to_be_visible()

    # Disable: the menu vanishes and the screen answers 404.
    open_menu(page, "Settings", "Modules")
    click_module_button(page, "disable")
    expect(flash(page, f"Disabled: {ADDON}")).to_be_visible()
    expect(row).to_have_attribute("data-state", "disabled")
    expect(page.locator(".navbar a.dropdown-toggle", has_text="Examples")).to_have_count(0)
    expect(page.locator(".navbar a", has_text="Notes")).to_have_count(0)
    response = page.goto(server.url + "/noteview/list/")
    assert response is not None and response.status == 404

    # Enable: back again, with the note kept.
    page.goto(server.url + "/modules/")
    click_module_button(page, "enable")
    expect(flash(page, f"Enabled: {ADDON}")).to_be_visible()
    expect(row).to_have_attribute("data-state", "installed")
    expect(page.locator(".navbar a.dropdown-toggle", has_text="Examples")).to_be_visible()
    response = page.goto(server.url + "/noteview/list/")
    assert response is not None and response.status == 200
    expect(page.locator("table", has_text="Call the warehouse")).to_be_visible()

    # Uninstall through the confirmation page.
    page.goto(server.url + "/modules/")
    with page.expect_navigation():
        row.locator("a", has_text="Uninstall").click()
    assert urlsplit(page.url).path == f"/modules/uninstall/{ADDON}"
    expect(page.locator("#uninstall-addons li")).to_have_text([ADDON])
    table_row = page.locator("#uninstall-tables tr", has=page.locator("td", has_text="example_note"))
    expect(table_row).to_have_count(1)
    expect(table_row.locator("td")).to_have_text(["example_note", "1"])

    # A wrong name is refused and nothing is removed.
    page.fill("input[name=confirm]", "not-the-name")
    with page.expect_navigation():
        page.click("button[name=uninstall]")
    assert urlsplit(page.url).path == f"/modules/uninstall/{ADDON}"
    expect(flash(page, "Type the addon's name")).to_be_visible()

    page.fill("input[name=confirm]", ADDON)
    with page.expect_navigation():
        page.click("button[name=uninstall]")
    assert urlsplit(page.url).path == "/modules/"
    expect(row).to_have_attribute("data-state", "uninstalled")
    expect(row.locator("button[name=install]")).to_be_visible()
    message = flash(page, "Uninstalled:")
    expect(message).to_contain_text(f"Uninstalled: {ADDON}. Backup:")
    backup = re.search(r"Backup: (\S+)", message.inner_text()).group(1)
    assert backup != "-"
    backup_file = server.instance / "backups" / Path(backup).name
    assert backup_file.is_file() and backup_file.stat().st_size > 0, backup
    expect(page.locator(".navbar a.dropdown-toggle", has_text="Examples")).to_have_count(0)
    response = page.goto(server.url + "/noteview/list/")
    assert response is not None and response.status == 404


def test_pages_load_nothing_from_other_hosts(server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    log_in(page, server)
    page.goto(server.url + "/modules/")
    click_module_button(page, "install")
    expect(module_row(page)).to_have_attribute("data-state", "installed")
    response = page.goto(server.url + "/noteview/list/")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")

    assert requested, "no request was recorded"
    foreign = [url for url in requested
               if not url.startswith(("data:", "blob:"))
               and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not foreign, foreign
    # Stylesheets and scripts really came from the server.
    assert any("/static/" in url and url.endswith(".css") for url in requested)
    assert any("/static/" in url and url.endswith(".js") for url in requested)
