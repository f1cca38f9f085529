"""From first touch to confirmed order, in Chromium against `crossdock run`:
a salesperson enters a lead, converts it (the contacts duplicate detection
offers her existing customer), makes a quotation from the opportunity, adds a
line with the product picker, confirms the order (which waits for the ERP
sync), and drags the opportunity to Won on the pipeline board; her manager
then sees the won deal on the dashboard."""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.browser.actions import open_menu
from tests.live_server import cli, run_script

pytestmark = pytest.mark.browser

PASSWORD = "Journey-pass-123"
CUSTOMER = "上海远景科技有限公司"
DEAL = "50台服务器采购"
SEED = f"""
from decimal import Decimal
from core.app import create_app
from core.db import db
from core.security.teams import Team
from core.users import create_user
from addons.contacts.models import Company, ContactEmail
from addons.sales.models import Currency, Product, Tax

app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    lin = create_user(sm, "lin", "lin@example.com", "{PASSWORD}", ["Salesperson"])
    boss = create_user(sm, "boss", "boss@example.com", "{PASSWORD}", ["Sales Manager"])
    team = Team(name="华东")
    team.members.extend([lin, boss])
    db.session.add(team)
    db.session.add(Company(name="{CUSTOMER}", owner_id=lin.id, team_id=None,
                           emails=[ContactEmail(kind="work", email="info@yuanjing.cn")]))
    cny = db.session.query(Currency).filter_by(code="CNY").one()
    vat = db.session.query(Tax).filter_by(name="VAT 13%").one()
    db.session.add(Product(code="SRV-01", name="机架服务器", unit="台",
                           list_price=Decimal("12800"), currency=cny, tax=vat))
    db.session.commit()
"""


def _seed(server):
    cli(server, "addons", "install", "sales")
    run_script(server, SEED)


def _log_in(page, server, username):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] input[type=submit]")


def _submit_form(page):
    with page.expect_navigation():
        page.locator("#model_form button[type=submit]").first.click()


def test_salesperson_takes_a_lead_to_a_confirmed_order_and_the_manager_sees_it(
        server, page, browser):
    _seed(server)
    _log_in(page, server, "lin")

    # a new lead: only free text, the customer is not linked yet
    open_menu(page, "Sales", "Leads")
    page.goto(server.url + "/leadview/add")
    page.fill("input[name=name]", DEAL)
    page.fill("input[name=company_name]", CUSTOMER)
    page.fill("input[name=contact_name]", "陈经理")
    page.fill("input[name=email]", "INFO@yuanjing.cn")
    page.fill("input[name=expected_revenue]", "640000")
    _submit_form(page)
    with page.expect_navigation():
        page.locator("table tbody tr", has_text=DEAL).locator(
            "a[href*='/leadview/show/']").first.click()
    expect(page.locator("#lead-status")).to_have_text("Open")

    # conversion: the e-mail matches her existing customer, offered first
    with page.expect_navigation():
        page.get_by_role("link", name="Convert to opportunity").click()
    link = page.locator("input[type=radio][name=company][value^='link:']")
    expect(link).to_be_checked()
    expect(page.locator("label", has=link)).to_contain_text(CUSTOMER)
    with page.expect_navigation():
        page.get_by_role("button", name="Convert").click()
    assert "/opportunityview/show/" in page.url
    expect(page.locator("body")).to_contain_text(CUSTOMER)

    # a quotation from the opportunity, one line picked by typing the code
    with page.expect_navigation():
        page.locator("#lead-new-quotation").click()
    _submit_form(page)
    page.locator("select[name=new-product_id] + .select2-container").click()
    page.locator(".select2-search__field").fill("SRV")
    page.locator(".select2-results__option", has_text="SRV-01").click()
    page.fill("input[name=new-quantity]", "50")
    with page.expect_navigation():
        page.locator("#order-lines-save").click()
    expect(page.locator("#order-untaxed")).to_have_text("640,000.00 CNY")
    expect(page.locator("#order-tax")).to_have_text("83,200.00 CNY")
    expect(page.locator("#order-total")).to_have_text("723,200.00 CNY")

    # confirmed: locked; no ERP backend is configured here, and the page says so
    with page.expect_navigation():
        page.locator("#order-confirm").click()
    expect(page.locator("#order-erp .order-erp")).to_have_text(
        "not sent: no ERP backend is configured")
    expect(page.locator("#order-confirm")).to_have_count(0)
    expect(page.locator("#order-lines-save")).to_have_count(0)

    # on the board the deal sits in New; dragged onto the folded Won column
    open_menu(page, "Sales", "Pipeline")
    card = page.locator(".board-card", has_text=DEAL)
    expect(card).to_be_visible()
    won = page.locator(".board-column-won")
    card.drag_to(won)
    expect(won.locator(".board-count")).to_have_text("1")
    expect(won.locator(".board-total")).to_have_text("640,000.00 CNY")

    # her manager sees it won on the dashboard, under her name
    manager = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        boss = manager.new_page()
        _log_in(boss, server, "boss")
        open_menu(boss, "Sales", "Dashboard")
        row = boss.locator("#by-owner-table tbody tr", has_text="lin")
        expect(row.locator("td.won-count")).to_have_text("1")
        expect(row.locator("td.won-value")).to_have_text("640,000.00")
    finally:
        manager.close()
