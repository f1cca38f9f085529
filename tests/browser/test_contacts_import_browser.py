"""A salesperson imports a GBK CSV with one duplicate, resolves it in the
preview, finds the new contact by a phone fragment, and cannot see a
colleague's contacts: in Chromium, against `crossdock run`."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.actions import open_menu
from tests.live_server import cli

pytestmark = pytest.mark.browser

PASSWORD = "Secret-pass-123"
SCREENSHOT = "/tmp/crossdock-contacts-import.png"
FILE = ("名称,手机,邮箱,城市\r\n"
        "新客户甲,138 1234 5678,new@example.com,杭州\r\n"
        "老客户有限公司,,old@example.com,南京\r\n").encode("gbk")


def add_company_as(server, username: str, **company):
    """Create a company through the REST API, as `username` (so they own it)."""
    token = requests.post(f"{server.url}/api/v1/security/login", timeout=10, json={
        "username": username, "password": PASSWORD, "provider": "db"}).json()["access_token"]
    resp = requests.post(f"{server.url}/api/v1/company/", json=company, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.text


def log_in_as(page, server, username: str):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")
    assert urlsplit(page.url).path != "/login/", page.url


def listed_names(page) -> set[str]:
    return {t.strip() for t in page.locator("table tbody tr td").all_inner_texts()} & {
        "新客户甲", "老客户有限公司", "同事的客户"}


def test_salesperson_imports_a_gbk_file_with_a_duplicate(server, page):
    cli(server, "addons", "install", "contacts")
    for name in ("lin", "wang"):
        cli(server, "user", "create", "--username", name, "--email",
                  f"{name}@example.com", "--role", "Salesperson", "--password", PASSWORD)
    add_company_as(server, "lin", name="老客户有限公司",
                   emails=[{"kind": "work", "email": "old@example.com"}])
    add_company_as(server, "wang", name="同事的客户",
                   phones=[{"kind": "mobile", "number": "137 1234 5678"}])

    log_in_as(page, server, "lin")
    page.goto(server.url + "/")
    open_menu(page, "Contacts", "Import")
    page.select_option("select[name=kind]", "company")
    page.set_input_files("input[name=file]", files=[
        {"name": "客户.csv", "mimeType": "text/csv", "buffer": FILE}])
    with page.expect_navigation():
        page.click("button[name=upload]")

    # the Chinese headers come pre-mapped
    expect(page.locator("select[data-header='名称']")).to_have_value("name")
    expect(page.locator("select[data-header='手机']")).to_have_value("phones")
    expect(page.locator("select[data-header='邮箱']")).to_have_value("emails")
    with page.expect_navigation():
        page.click("button[name=map]")

    # one duplicate (row 3, same e-mail as lin's own company); nothing wrong otherwise
    expect(page.locator("[data-count=total]")).to_have_text("2")
    expect(page.locator("[data-count=with_errors]")).to_have_text("0")
    expect(page.locator("[data-count=duplicates]")).to_have_text("1")
    duplicate = page.locator("#import-duplicates tr[data-row='3']")
    expect(duplicate).to_contain_text("老客户有限公司")
    duplicate.locator("select").select_option("update")
    page.screenshot(path=SCREENSHOT, full_page=True)
    with page.expect_navigation():
        page.click("button[name=commit]")
    expect(page.locator("[data-count=created]")).to_have_text("1")
    expect(page.locator("[data-count=updated]")).to_have_text("1")

    # the new company is found by a fragment of its phone; the colleague's
    # company, whose number holds the same digits, is not shown
    open_menu(page, "Contacts", "Companies")
    assert listed_names(page) == {"新客户甲", "老客户有限公司"}
    page.fill("input[name=_flt_0_name]", "12345678")
    with page.expect_navigation():
        page.press("input[name=_flt_0_name]", "Enter")
    assert listed_names(page) == {"新客户甲"}

    # the duplicate was updated, not doubled
    page.fill("input[name=_flt_0_name]", "old@example.com")
    with page.expect_navigation():
        page.press("input[name=_flt_0_name]", "Enter")
    rows = page.locator("table tbody tr", has_text="老客户有限公司")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("南京")
    assert re.search(r"同事的客户", page.content()) is None
