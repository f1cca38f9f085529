"""Credit limits (services/credit/): confirming an order past its customer's
limit warns (audited) or is refused until Finance releases it, saying by how
much; the exposure counts open invoices and confirmed orders not invoiced;
the payment history comes from the payment pull. Through sales' confirm
extension point, on the screens and over REST."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import api_token, login
from tests.invoicing_world import as_finance, load, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")


@pytest.fixture
def app(make_app, request):
    """The test app; `@pytest.mark.parametrize("app", ["block"], indirect=True)`
    sets the credit limit mode."""
    return make_app(credit_limit_mode=getattr(request, "param", "warn"))


def _quotation(app, owner: str, lines) -> int:
    """A draft order of `owner`'s company (team A); lines: (code, quantity, price)."""
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, SalesOrder
        from addons.sales.services.orders.order_lines import new_line
        from core.security.teams import Team

        user = db.session.scalars(select(User).filter_by(username=owner)).one()
        order = SalesOrder(
            company=db.session.scalars(select(Company).filter_by(
                name=f"Customer of {owner}")).one(),
            currency=db.session.scalars(select(Currency).filter_by(code="CNY")).one(),
            owner_id=user.id, team_id=db.session.scalars(select(Team.id).filter_by(
                name="A")).one())
        db.session.add(order)
        for code, qty, price in lines:
            new_line(db.session, order, db.session.scalars(select(Product).filter_by(
                code=code)).one(), Decimal(qty), unit_price_=Decimal(price),
                discount=Decimal(0))
        db.session.commit()
        return order.id


def _limits(app, company: str | None = None, tier: str | None = None):
    """The company's own limit and/or its tier's (a new tier)."""
    with app.app_context():
        from addons.contacts.models import Company, Tier
        from addons.invoicing_link.models import CreditLimit

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        if tier is not None:
            customer.tier = Tier(name="Key accounts")
            db.session.add(CreditLimit(tier=customer.tier, amount=Decimal(tier)))
        if company is not None:
            db.session.add(CreditLimit(company=customer, amount=Decimal(company)))
        db.session.commit()
        return customer.id


def _audit(app, action: str) -> list[dict]:
    with app.app_context():
        from core.security.audit import AuditLog

        return [row.changes for row in db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


def _state(app, order_id) -> str:
    with app.app_context():
        return load(order_id).state


def test_warn_mode_confirms_past_the_limit_says_by_how_much_and_audits(world):  # noqa: F811
    app, ids = world  # the world's confirmed order: 230.12 CNY, not invoiced
    _limits(app, company="500", tier="1000")  # the company's own limit wins
    over = _quotation(app, "s1", [("W-1", "3", "100")])  # 300 + 13% = 339.00
    client = app.test_client()
    token = login(client, "s1")
    page = client.get(f"/quotationview/show/{over}").get_data(as_text=True)
    panel = page.split('id="quotation-credit"', 1)[1].split("</div>\n</div>", 1)[0]
    assert re.search(r'id="credit-limit">500.00 CNY<', panel)
    assert re.search(r'id="credit-to-invoice">230.12 CNY<', panel)
    assert re.search(r'id="credit-over">69.12 CNY<', panel)
    assert 'id="release-order"' not in panel  # a salesperson does not release

    page = client.post(f"/quotationview/confirm/{over}", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Order confirmed." in page
    assert ("confirming %s (339.00 CNY) passes the credit limit of 500.00 CNY by 69.12 CNY "
            "(open invoices 0.00 CNY, confirmed orders not invoiced 230.12 CNY)"
            % load_number(app, over)) in page.replace("&#39;", "'")
    assert _state(app, over) == "confirmed"
    assert _audit(app, "credit_limit_passed") == [
        {"number": load_number(app, over), "over_by": "69.12", "limit": "500.00",
         "currency": "CNY"}]

    with app.app_context():  # without its own limit, the tier's applies: 1000
        from addons.invoicing_link.models import CreditLimit

        db.session.delete(db.session.scalars(select(CreditLimit).where(
            CreditLimit.company_id.is_not(None))).one())
        db.session.commit()
    within = _quotation(app, "s1", [("W-1", "1", "100")])  # 113.00: 682.12 in all
    resp = client.post(f"/api/v1/salesorder/{within}/confirm",
                       headers={"Authorization": f"Bearer {api_token(client, 's1')}"})
    assert resp.status_code == 200 and "warnings" not in resp.get_json()
    third = _quotation(app, "s1", [("W-1", "3", "100")])  # 339.00 more: 1021.12
    resp = client.post(f"/api/v1/salesorder/{third}/confirm",
                       headers={"Authorization": f"Bearer {api_token(client, 's1')}"})
    assert resp.status_code == 200
    assert resp.get_json()["result"]["state"] == "confirmed"
    [warning] = resp.get_json()["warnings"]
    assert "passes the credit limit of 1,000.00 CNY by 21.12 CNY" in warning


def load_number(app, order_id) -> str:
    with app.app_context():
        return load(order_id).number


@pytest.mark.parametrize("app", ["block"], indirect=True)
def test_block_mode_refuses_until_finance_releases_and_a_grown_order_is_held_again(
        world):  # noqa: F811
    app, ids = world
    _limits(app, company="500")
    held = _quotation(app, "s1", [("W-1", "3", "100")])  # 339.00: over by 69.12
    seller = app.test_client()
    seller_api = {"Authorization": f"Bearer {api_token(seller, 's1')}"}
    resp = seller.post(f"/api/v1/salesorder/{held}/confirm", headers=seller_api)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["field"] == "company_id"
    assert "passes the credit limit of 500.00 CNY by 69.12 CNY" in body["message"]
    assert "Finance can release the order." in body["message"]
    assert _state(app, held) == "draft" and _audit(app, "credit_limit_passed") == []
    # a salesperson may not release, over REST nor by the form
    assert seller.post(f"/api/v1/invoice/credit_release/{held}", headers=seller_api,
                       json={"reason": "good customer"}).status_code == 403
    token = login(seller, "s1")
    page = seller.get(f"/quotationview/show/{held}").get_data(as_text=True)
    assert "Confirming is refused until Finance releases the order" in page
    assert re.search(r'id="credit-over">69.12 CNY<', page)
    assert seller.get("/invoicing/credit_holds/").status_code in (302, 403)
    assert seller.post(f"/invoicing/credit_holds/release/{held}", data={
        "csrf_token": token, "reason": "x"}).status_code in (302, 403)
    with app.app_context():
        from addons.invoicing_link.models import CreditRelease

        assert db.session.scalars(select(CreditRelease)).all() == []

    finance = app.test_client()  # Finance, who reads no quotation, sees it on Credit holds
    token = login(finance, "fin")
    page = finance.get("/invoicing/credit_holds/").get_data(as_text=True)
    [row] = re.findall(r'<tr class="credit-hold" data-order="(\d+)">(.*?)</tr>', page, re.S)
    assert row[0] == str(held) and load_number(app, held) in row[1]
    assert "Customer of s1" in row[1] and "339.00 CNY" in row[1] and "69.12 CNY" in row[1]
    assert finance.get(f"/invoicing/credit_holds/release/{held}").status_code == 405
    page = finance.post(f"/invoicing/credit_holds/release/{held}", data={
        "csrf_token": token, "reason": "  "}, follow_redirects=True).get_data(as_text=True)
    assert "Give a reason for the release." in page
    page = finance.post(f"/invoicing/credit_holds/release/{held}", data={
        "csrf_token": token, "reason": "paid in advance by wire"},
        follow_redirects=True).get_data(as_text=True)
    assert "may be confirmed up to its total now" in page and 'id="no-credit-holds"' in page
    assert _audit(app, "credit_release") == [
        {"number": load_number(app, held), "amount_total": "339.0000", "over_by": "69.12",
         "reason": "paid in advance by wire"}]
    page = seller.get(f"/quotationview/show/{held}").get_data(as_text=True)
    assert "Released by fin" in page and "paid in advance by wire" in page

    resp = seller.post(f"/api/v1/salesorder/{held}/confirm", headers=seller_api)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert _state(app, held) == "confirmed"
    assert _audit(app, "credit_limit_passed")[0]["over_by"] == "69.12"

    grown = _quotation(app, "s1", [("W-1", "1", "100")])  # 113.00 past 569.12: over 182.12
    fin_api = {"Authorization": f"Bearer {api_token(finance, 'fin')}"}
    resp = finance.post(f"/api/v1/invoice/credit_release/{grown}", headers=fin_api,
                        json={"reason": "one more"})
    assert resp.status_code == 200
    assert resp.get_json()["result"]["over_by"] == "182.12"
    with app.app_context():  # the order grows after its release
        from addons.sales.models import Product
        from addons.sales.services.orders.order_lines import new_line

        order = load(grown)
        new_line(db.session, order, db.session.scalars(select(Product).filter_by(
            code="W-1")).one(), Decimal("1"), unit_price_=Decimal("100"), discount=Decimal(0))
        db.session.commit()
    resp = seller.post(f"/api/v1/salesorder/{grown}/confirm", headers=seller_api)
    assert resp.status_code == 400 and "by 295.12 CNY" in resp.get_json()["message"]
    # a confirmed order has nothing to release
    resp = finance.post(f"/api/v1/invoice/credit_release/{held}", headers=fin_api,
                        json={"reason": "again"})
    assert resp.status_code == 409

    with app.app_context():  # invoicing disabled: sales confirms without its check
        from core.addons import lifecycle

        lifecycle.disable(db.session, app.extensions["crossdock"].runtime, ["invoicing_link"])
    resp = seller.post(f"/api/v1/salesorder/{grown}/confirm", headers=seller_api)
    assert resp.status_code == 200 and "warnings" not in resp.get_json()


@pytest.mark.parametrize("app", ["block"], indirect=True)
def test_two_orders_confirmed_at_once_are_counted_in_turn(world):  # noqa: F811
    """Each alone fits (230.12 + 169.50 of 500), both do not: the customer's
    row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) makes
    the second check see the first order confirmed."""
    app, ids = world
    _limits(app, company="500")
    orders = [_quotation(app, "s1", [("W-1", "1", "150")]) for _ in range(2)]
    barrier = threading.Barrier(2)

    def confirm(order_id):
        with app.test_request_context(method="POST"):  # as the Confirm button: a writer
            from flask_appbuilder.security.sqla.models import User
            from flask_login import login_user

            from addons.sales.services.orders import order_states

            barrier.wait(timeout=30)  # before any query: on SQLite the first takes the lock
            login_user(db.session.scalars(select(User).filter_by(username="s1")).one())
            try:
                order_states.confirm(db.session, load(order_id))
                db.session.commit()
                return "confirmed"
            except order_states.OrderCheckError as exc:
                db.session.rollback()
                return str(exc)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(confirm, orders))
    assert results.count("confirmed") == 1, results
    [refused] = [r for r in results if r != "confirmed"]
    assert "by 69.12 CNY" in refused and "confirmed orders not invoiced 399.62 CNY" in refused
    assert sorted(_state(app, o) for o in orders) == ["confirmed", "draft"]


def test_exposure_counts_open_invoices_and_orders_not_invoiced_and_payments_come_back(
        world):  # noqa: F811
    app, ids = world
    company_id = _limits(app, company="1000")
    client = app.test_client()
    fin_api = {"Authorization": f"Bearer {api_token(client, 'fin')}"}

    def credit():
        resp = client.get(f"/api/v1/invoice/balance/{company_id}", headers=fin_api)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["result"]

    assert credit()["credit"] == {"currency": "CNY", "limit": "1000.00", "open": "0.00",
                                  "to_invoice": "230.12", "available": "769.88",
                                  "unconverted": {}}
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        invoice_id, number = invoice.id, invoice.number
    assert credit()["credit"]["open"] == "230.12"
    assert credit()["credit"]["to_invoice"] == "0.00"

    def pay(paid: str, residual: str, state: str, day: date, changed: int = 1):
        with app.app_context():  # as the payment pull writes it
            from addons.invoicing_link.services.finance_sync.payments import apply_payments
            from connectors.erp.invoice_payloads import RemoteInvoice

            remote = RemoteInvoice(
                external_id="1", number=number, kind="invoice", state="posted",
                remote_state="posted", amount_paid=Decimal(paid), residual=Decimal(residual),
                payment_state=state, payment_date=day)
            assert apply_payments(db.session, 1, [(invoice_id, remote)]) == changed
            db.session.commit()

    today = date.today()
    pay("100.00", "130.12", "partial", today - timedelta(days=2))
    pay("100.00", "130.12", "partial", today - timedelta(days=2), changed=0)  # no new row
    result = credit()
    assert result["credit"]["open"] == "130.12" and result["credit"]["available"] == "869.88"
    assert [(p["number"], p["paid"], p["amount_residual"]) for p in result["payments"]] == [
        (number, "100.0000", "130.1200")]
    pay("230.12", "0", "paid", today)
    result = credit()
    assert [(p["paid"], p["payment_state"], p["changed_at"][:10]) for p in result["payments"]] == [
        ("130.1200", "paid", today.isoformat()),
        ("100.0000", "partial", (today - timedelta(days=2)).isoformat())]
    assert result["credit"]["available"] == "1000.00" and result["outstanding"] == "0.00"

    owner = app.test_client()  # the salesperson sees the payments and the credit left
    login(owner, "s1")
    page = owner.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    assert re.search(r'id="company-credit-left">1,000.00 CNY<', page)
    payments = page.split('id="company-payments"', 1)[1].split("</table>", 1)[0]
    assert payments.count('class="company-payment"') == 2
    assert "130.12 CNY" in payments and "100.00 CNY" in payments


def test_finance_sets_limits_on_the_screen_and_others_only_read_them(world):  # noqa: F811
    app, ids = world
    with app.app_context():
        from addons.contacts.models import Company, Tier

        company_id = db.session.scalars(select(Company.id).filter_by(
            name="Customer of s1")).one()
        db.session.add(Tier(name="Key accounts"))
        db.session.commit()
        tier_id = db.session.scalars(select(Tier.id).filter_by(name="Key accounts")).one()
    finance = app.test_client()
    token = login(finance, "fin")
    found = finance.get("/creditlimitview/company_choices?q=Customer of s1").get_json()
    assert [r["text"] for r in found["results"]][:1] == ["Customer of s1"]
    page = finance.get("/creditlimitview/add").get_data(as_text=True)
    assert "contacts-company-picker" in page and "Customer of s2" not in page  # no list
    page = finance.post("/creditlimitview/add", data={
        "csrf_token": token, "company": company_id, "tier": tier_id, "amount": "100"},
        follow_redirects=True).get_data(as_text=True)
    assert "Give either a company or a tier, not both." in page
    finance.post("/creditlimitview/add", data={
        "csrf_token": token, "company": company_id, "amount": "800.50"})
    with app.app_context():
        from addons.invoicing_link.models import CreditLimit

        [limit] = db.session.scalars(select(CreditLimit)).all()
        assert (limit.company_id, limit.tier_id, limit.amount) == (
            company_id, None, Decimal("800.50"))
        limit_id = limit.id
    seller = app.test_client()
    token = login(seller, "s1")
    assert "800.50" in seller.get("/creditlimitview/list/").get_data(as_text=True)
    assert seller.post(f"/creditlimitview/edit/{limit_id}", data={
        "csrf_token": token, "company": company_id, "amount": "999999"}).status_code in (
        302, 403)
    with app.app_context():
        from addons.invoicing_link.models import CreditLimit

        assert db.session.get(CreditLimit, limit_id).amount == Decimal("800.50")
