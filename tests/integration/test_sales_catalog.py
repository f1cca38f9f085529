"""The sales catalog as its users meet it: products, taxes, currencies with
rates and price lists through the screens and the REST API, who may change
what, bad values refused with a message naming the field (and nothing
stored), and the pricing quote (which rule applied; a missing rate or an
archived product answered 400)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def sales_app(app):
    install(app, "sales")
    add_user(app, "mia", ["Sales Manager"], "A")
    add_user(app, "sam", ["Salesperson"], "A")
    add_user(app, "fay", ["Finance"])
    return app


def models():
    from addons.sales import models as m
    return m


def count(app, model_name, **where):
    with app.app_context():
        model = getattr(models(), model_name)
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(stmt)


def currency_id(app, code):
    with app.app_context():
        return db.session.scalar(select(models().Currency.id).filter_by(code=code))


def tax_id(app, name="VAT 13%"):
    with app.app_context():
        return db.session.scalar(select(models().Tax.id).filter_by(name=name))


def field_error(html: str, message: str) -> bool:
    """The message shown as a form field's error (FAB renders them as alert-danger spans)."""
    return re.search(r'alert-danger">\s*[^<]*' + re.escape(message), unescape(html)) is not None


def product_form(app, token, **fields):
    data = {"code": "W1", "name": "Widget", "description": "", "unit": "Unit",
            "list_price": "100", "currency": str(currency_id(app, "CNY")),
            "tax": str(tax_id(app)), "active": "y", "csrf_token": token}
    data.update(fields)
    return data


def add_product(app, code="W1", price="100", currency="CNY", active=True):
    with app.app_context():
        m = models()
        product = m.Product(code=code, name=f"Product {code}", unit="Unit", list_price=D(price),
                            currency_id=currency_id(app, currency), active=active)
        db.session.add(product)
        db.session.commit()
        return product.id


def add_company(app, name="Acme", owner="sam"):
    """A company `owner` (and so their team) may see."""
    with app.app_context():
        from addons.contacts.models import Company
        from flask_appbuilder.security.sqla.models import User

        owner_id = db.session.scalar(select(User.id).filter_by(username=owner))
        company = Company(name=name, owner_id=owner_id)
        db.session.add(company)
        db.session.commit()
        return company.id


def bearer(client, user):
    return {"Authorization": f"Bearer {api_token(client, user)}"}


# --- products ---------------------------------------------------------------------

def test_manager_creates_searches_and_archives_products_on_the_screens(sales_app):
    app = sales_app
    client = app.test_client()
    token = login(client, "mia")
    resp = client.post("/productview/add", data=product_form(app, token, list_price="0.0993"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    client.post("/productview/add", data=product_form(app, token, code="G7", name="Gear"))
    with app.app_context():
        widget = db.session.scalars(select(models().Product).filter_by(code="W1")).one()
        assert (widget.list_price, widget.currency.code, widget.tax.name) == (
            D("0.0993"), "CNY", "VAT 13%")
        widget_id = widget.id
    page = client.get("/productview/list/").get_data(as_text=True)
    assert "Widget" in page and "0.0993" in page and "Gear" in page
    # the edit form shows every stored digit (WTForms would show 0.10)
    assert 'value="0.0993"' in client.get(f"/productview/edit/{widget_id}").get_data(as_text=True)
    # search by code and by name (FAB's filters: 0 = contains)
    found = client.get("/productview/list/?_flt_2_code=G7").get_data(as_text=True)
    assert "Gear" in found and "Widget" not in found
    found = client.get("/productview/list/?_flt_2_name=widg").get_data(as_text=True)
    assert "Widget" in found and "Gear" not in found

    resp = client.post("/productview/action_post", data={
        "action": "archive", "rowid": [str(widget_id)], "csrf_token": token})
    assert resp.status_code == 302
    assert count(app, "Product", code="W1", active=False) == 1
    # no delete: archive instead
    resp = client.post(f"/productview/delete/{widget_id}", data={"csrf_token": token})
    assert resp.status_code in (302, 403, 404, 405)
    assert count(app, "Product", code="W1") == 1
    client.post("/productview/action_post", data={
        "action": "restore", "rowid": [str(widget_id)], "csrf_token": token})
    assert count(app, "Product", code="W1", active=True) == 1


@pytest.mark.parametrize("fields, message", [
    ({"list_price": "-1"}, "a price cannot be negative (-1)"),
    ({"code": "DUP"}, "product code 'DUP' is already used by 'Product DUP'"),
])
def test_bad_product_values_are_field_errors_and_nothing_is_saved(sales_app, fields, message):
    app = sales_app
    add_product(app, code="DUP")
    client = app.test_client()
    token = login(client, "mia")
    resp = client.post("/productview/add", data=product_form(app, token, **fields))
    assert resp.status_code == 200
    assert field_error(resp.get_data(as_text=True), message), resp.get_data(as_text=True)
    assert count(app, "Product") == 1


def test_editing_keeps_its_own_code_but_refuses_another_products(sales_app):
    app = sales_app
    add_product(app, code="A1")
    b1 = add_product(app, code="B1")
    client = app.test_client()
    token = login(client, "mia")
    resp = client.post(f"/productview/edit/{b1}",
                       data=product_form(app, token, code="B1", name="Renamed", list_price="5"))
    assert resp.status_code == 302
    resp = client.post(f"/productview/edit/{b1}",
                       data=product_form(app, token, code="A1", name="Clash"))
    assert field_error(resp.get_data(as_text=True), "product code 'A1' is already used")
    with app.app_context():
        product = db.session.get(models().Product, b1)
        assert (product.code, product.name, product.list_price) == ("B1", "Renamed", D("5"))


def test_a_salesperson_reads_products_but_cannot_change_prices(sales_app):
    app = sales_app
    pid = add_product(app, code="W1", price="100")
    client = app.test_client()
    token = login(client, "sam")
    assert "Product W1" in client.get("/productview/list/").get_data(as_text=True)
    resp = client.post(f"/productview/edit/{pid}",
                       data=product_form(app, token, list_price="1"))
    assert resp.status_code in (302, 403)
    headers = bearer(client, "sam")
    assert client.put(f"/api/v1/product/{pid}", json={"list_price": "1"},
                      headers=headers).status_code == 403
    assert client.post("/api/v1/product/", json={"code": "X", "name": "X", "list_price": "1",
                                                  "currency": currency_id(app, "CNY")},
                       headers=headers).status_code == 403
    with app.app_context():
        assert db.session.get(models().Product, pid).list_price == D("100")
    assert count(app, "Product") == 1
    # nor price lists
    resp = client.post("/api/v1/price_list/", json={
        "name": "Mine", "currency": currency_id(app, "CNY"), "tier": 1}, headers=headers)
    assert resp.status_code == 403 and count(app, "PriceList") == 0


def test_product_rest_round_trip_and_422s_name_the_field(sales_app):
    app = sales_app
    client = app.test_client()
    headers = bearer(client, "mia")
    cny = currency_id(app, "CNY")
    resp = client.post("/api/v1/product/", json={
        "code": "W1", "name": "Widget", "unit": "kg", "list_price": "12.3456",
        "currency": cny, "tax": tax_id(app)}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    pid = resp.get_json()["id"]
    got = client.get(f"/api/v1/product/{pid}", headers=headers).get_json()["result"]
    assert (got["list_price"], got["currency"]["code"], got["unit"]) == ("12.3456", "CNY", "kg")

    resp = client.post("/api/v1/product/", json={"code": "W1", "name": "Again",
                                                  "list_price": "1", "currency": cny},
                       headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"code": ["product code 'W1' is already used by "
                                                  "'Widget'"]}
    resp = client.put(f"/api/v1/product/{pid}", json={"list_price": "-0.01"}, headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"list_price": ["a price cannot be negative (-0.01)"]}
    # archive by PUT; no DELETE route
    assert client.put(f"/api/v1/product/{pid}", json={"active": False},
                      headers=headers).status_code == 200
    assert client.delete(f"/api/v1/product/{pid}", headers=headers).status_code in (404, 405)
    with app.app_context():
        product = db.session.get(models().Product, pid)
        assert (product.list_price, product.active) == (D("12.3456"), False)


def test_product_picker_offers_a_few_active_matches(sales_app):
    app = sales_app
    for n in range(30):
        add_product(app, code=f"BOLT-{n:02d}")
    add_product(app, code="BOLT-OLD", active=False)
    add_product(app, code="NUT-1")
    client = app.test_client()
    login(client, "mia")
    results = client.get("/pricelistitemview/product_choices?q=bolt").get_json()["results"]
    assert len(results) == 20
    assert all(r["text"].startswith("[BOLT-") for r in results)
    assert "[BOLT-OLD] Product BOLT-OLD" not in [r["text"] for r in results]
    assert client.get("/pricelistitemview/product_choices?q=").get_json()["results"] == []
    exact = client.get("/pricelistitemview/product_choices?q=nut-1").get_json()["results"]
    assert [r["text"] for r in exact] == ["[NUT-1] Product NUT-1"]
    # the add form renders only an empty picker, not the 32 products
    page = client.get("/pricelistitemview/add").get_data(as_text=True)
    assert "product_choices" in page and "BOLT-07" not in page


# --- taxes ----------------------------------------------------------------------------

def test_finance_manages_taxes_with_a_rate_from_0_to_100(sales_app):
    app = sales_app
    client = app.test_client()
    token = login(client, "fay")
    resp = client.post("/taxview/add", data={"name": "Bad", "rate": "101", "active": "y",
                                             "csrf_token": token})
    assert field_error(resp.get_data(as_text=True),
                       "a tax rate is a percentage from 0 to 100, not 101")
    assert count(app, "Tax", name="Bad") == 0
    resp = client.post("/taxview/add", data={"name": "VAT 19% incl.", "rate": "19",
                                             "price_include": "y", "active": "y",
                                             "csrf_token": token})
    assert resp.status_code == 302
    assert count(app, "Tax", name="VAT 19% incl.", price_include=True) == 1
    headers = bearer(client, "fay")
    resp = client.post("/api/v1/tax/", json={"name": "Neg", "rate": -1}, headers=headers)
    assert resp.status_code == 422 and "rate" in resp.get_json()["errors"]
    # a manager reads taxes but may not change them
    mgr = app.test_client()
    assert mgr.post("/api/v1/tax/", json={"name": "X", "rate": 5},
                    headers=bearer(mgr, "mia")).status_code == 403


# --- currencies and rates ---------------------------------------------------------

def test_finance_adds_rates_on_the_currency_page_and_bad_rates_are_refused(sales_app):
    app = sales_app
    usd, cny = currency_id(app, "USD"), currency_id(app, "CNY")
    client = app.test_client()
    token = login(client, "fay")
    show = client.get(f"/currencyview/show/{usd}").get_data(as_text=True)
    assert "/currencyrateview/add" in show  # the rates list with its "+" on the page

    def post(**fields):
        data = {"currency": str(usd), "effective_date": "2026-03-01", "rate": "0.14",
                "csrf_token": token}
        data.update(fields)
        return client.post("/currencyrateview/add", data=data)

    assert post().status_code == 302
    assert field_error(post(rate="0.15").get_data(as_text=True),
                       "USD already has a rate on 2026-03-01")
    assert field_error(post(effective_date="2026-03-02", rate="0").get_data(as_text=True),
                       "an exchange rate must be greater than 0, not 0")
    assert field_error(post(currency=str(cny), effective_date="2026-03-02").get_data(
        as_text=True), "CNY is the base currency")
    with app.app_context():
        rates = db.session.scalars(select(models().CurrencyRate)).all()
        assert [(r.currency.code, r.effective_date, r.rate) for r in rates] == [
            ("USD", dt.date(2026, 3, 1), D("0.14"))]
    assert "0.14" in client.get(f"/currencyview/show/{usd}").get_data(as_text=True)

    headers = bearer(client, "fay")
    resp = client.post("/api/v1/currency_rate/", json={
        "currency": usd, "effective_date": "2026-04-01", "rate": "0.145"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    resp = client.post("/api/v1/currency_rate/", json={
        "currency": usd, "effective_date": "2026-04-01", "rate": "0.2"}, headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"effective_date": ["USD already has a rate on "
                                                            "2026-04-01"]}
    rates = client.get(f"/api/v1/currency/{usd}", headers=headers).get_json()["result"]["rates"]
    assert sorted(r["rate"] for r in rates) == ["0.1400000000", "0.1450000000"]
    # a salesperson may not add a rate
    other = app.test_client()
    assert other.post("/api/v1/currency_rate/", json={
        "currency": usd, "effective_date": "2026-05-01", "rate": "0.2"},
        headers=bearer(other, "sam")).status_code == 403
    assert count(app, "CurrencyRate") == 2


def test_the_base_currency_changes_only_explicitly_and_not_while_rates_exist(sales_app):
    app = sales_app
    usd, eur = currency_id(app, "USD"), currency_id(app, "EUR")
    client = app.test_client()
    token = login(client, "fay")
    headers = bearer(client, "fay")
    # is_base is not writable by the form or the API
    resp = client.put(f"/api/v1/currency/{usd}", json={"is_base": True}, headers=headers)
    assert resp.status_code == 422 and "is_base" in resp.get_json()["errors"]
    client.post("/api/v1/currency_rate/", json={"currency": eur, "effective_date": "2026-01-01",
                                                "rate": "0.13"}, headers=headers)
    resp = client.post(f"/api/v1/currency/{usd}/make_base", headers=headers)
    assert resp.status_code == 409
    assert resp.get_json()["message"] == ("1 exchange rate(s) are stated against the base "
                                          "currency CNY: delete them before making USD the base")
    resp = client.post(f"/currencyview/action/make_base/{usd}", data={"csrf_token": token},
                       follow_redirects=True)
    assert "delete them before making USD the base" in unescape(resp.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalars(select(models().Currency.code).filter_by(is_base=True)).all() \
            == ["CNY"]
    rate_id = client.get("/api/v1/currency_rate/", headers=headers).get_json()["ids"][0]
    assert client.delete(f"/api/v1/currency_rate/{rate_id}", headers=headers).status_code == 200
    resp = client.post(f"/currencyview/action/make_base/{usd}", data={"csrf_token": token},
                       follow_redirects=True)
    assert "USD is now the base currency." in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(models().Currency.code).filter_by(is_base=True)).all() \
            == ["USD"]
    # a sales manager may not
    mgr = app.test_client()
    assert mgr.post(f"/api/v1/currency/{eur}/make_base",
                    headers=bearer(mgr, "mia")).status_code == 403


# --- price lists ----------------------------------------------------------------------

def price_list_form(app, token, **fields):
    data = {"name": "Acme prices", "currency": str(currency_id(app, "CNY")), "company": "",
            "tier": "__None", "active": "y", "csrf_token": token}
    data.update(fields)
    return data


def test_price_lists_with_items_through_the_screens(sales_app):
    app = sales_app
    acme = add_company(app, "Acme")
    pid = add_product(app, "W1", "100")
    old = add_product(app, "OLD", "1", active=False)
    client = app.test_client()
    token = login(client, "mia")
    resp = client.post("/pricelistview/add", data=price_list_form(app, token, currency="__None",
                                                                  company=str(acme)))
    assert field_error(resp.get_data(as_text=True), "a price list needs a currency")
    resp = client.post("/pricelistview/add", data=price_list_form(app, token))
    assert field_error(resp.get_data(as_text=True), "a price list applies to one customer "
                                                    "company or to one tier")
    assert count(app, "PriceList") == 0
    assert client.get("/pricelistview/company_choices?q=acm").get_json()["results"] == [
        {"id": acme, "text": "Acme"}]
    resp = client.post("/pricelistview/add", data=price_list_form(app, token, company=str(acme)))
    assert resp.status_code == 302
    with app.app_context():
        list_id = db.session.scalar(select(models().PriceList.id))

    def item(**fields):
        data = {"price_list": str(list_id), "product": str(pid), "min_quantity": "10",
                "unit_price": "80.5", "csrf_token": token}
        data.update(fields)
        return client.post("/pricelistitemview/add", data=data)

    assert field_error(item(min_quantity="-1").get_data(as_text=True),
                       "a quantity break cannot be negative (-1)")
    assert field_error(item(unit_price="-5").get_data(as_text=True),
                       "a price cannot be negative (-5)")
    assert field_error(item(product=str(old)).get_data(as_text=True),
                       "No such product, or it is archived.")
    assert count(app, "PriceListItem") == 0
    assert item().status_code == 302
    assert field_error(item(unit_price="70").get_data(as_text=True),
                       "this list already prices the product from quantity 10")
    assert count(app, "PriceListItem") == 1
    show = client.get(f"/pricelistview/show/{list_id}").get_data(as_text=True)
    assert "[W1] Product W1" in show and "80.50" in show and "/pricelistitemview/add" in show


def test_a_salesperson_cannot_change_a_price_list_item(sales_app):
    app = sales_app
    acme = add_company(app)
    pid = add_product(app)
    with app.app_context():
        m = models()
        pl = m.PriceList(name="Acme", currency_id=currency_id(app, "CNY"), company_id=acme,
                         items=[m.PriceListItem(product_id=pid, min_quantity=D(0),
                                                unit_price=D("90"))])
        db.session.add(pl)
        db.session.commit()
        item_id = pl.items[0].id
    client = app.test_client()
    token = login(client, "sam")
    client.post(f"/pricelistitemview/edit/{item_id}", data={
        "price_list": "1", "product": str(pid), "min_quantity": "0", "unit_price": "1",
        "csrf_token": token})
    assert client.put(f"/api/v1/price_list_item/{item_id}", json={"unit_price": "1"},
                      headers=bearer(client, "sam")).status_code == 403
    with app.app_context():
        assert db.session.get(models().PriceListItem, item_id).unit_price == D("90")


def test_price_list_rest_checks(sales_app):
    app = sales_app
    client = app.test_client()
    headers = bearer(client, "mia")
    cny = currency_id(app, "CNY")
    resp = client.post("/api/v1/price_list/", json={"name": "No currency", "tier": 1},
                       headers=headers)
    assert resp.status_code == 422 and "currency" in resp.get_json()["errors"]
    resp = client.post("/api/v1/price_list/", json={"name": "Nobody", "currency": cny},
                       headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["company"][0].startswith("a price list applies to one")
    resp = client.post("/api/v1/price_list/", json={"name": "Gold", "currency": cny, "tier": 1},
                       headers=headers)
    assert resp.status_code == 201
    list_id = resp.get_json()["id"]
    pid = add_product(app)
    resp = client.post("/api/v1/price_list_item/", json={
        "price_list": list_id, "product": pid, "min_quantity": "-2", "unit_price": "1"},
        headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"min_quantity": ["a quantity break cannot be "
                                                          "negative (-2)"]}
    assert count(app, "PriceListItem") == 0
    ok = {"price_list": list_id, "product": pid, "min_quantity": "5", "unit_price": "1"}
    assert client.post("/api/v1/price_list_item/", json=ok, headers=headers).status_code == 201
    resp = client.post("/api/v1/price_list_item/", json={**ok, "unit_price": "2"},
                       headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"min_quantity": ["this list already prices the "
                                                          "product from quantity 5"]}
    assert count(app, "PriceListItem") == 1


# --- the pricing quote ---------------------------------------------------------------

def test_pricing_quote_says_which_rule_applied(sales_app):
    app = sales_app
    acme = add_company(app, "Acme")
    bolt = add_company(app, "Bolt")
    pid = add_product(app, "W1", "100")
    usd = currency_id(app, "USD")
    with app.app_context():
        m = models()
        db.session.add(m.PriceList(name="Acme deal", currency_id=currency_id(app, "CNY"),
                                   company_id=acme, items=[
                                       m.PriceListItem(product_id=pid, min_quantity=D(0),
                                                       unit_price=D("90")),
                                       m.PriceListItem(product_id=pid, min_quantity=D(10),
                                                       unit_price=D("80"))]))
        db.session.add(m.CurrencyRate(currency_id=usd, effective_date=dt.date(2026, 1, 1),
                                      rate=D("0.15")))
        db.session.commit()
    client = app.test_client()
    headers = bearer(client, "sam")

    def quote(**params):
        query = "&".join(f"{k}={v}" for k, v in {"product_id": pid, **params}.items())
        return client.get(f"/api/v1/pricing/quote?{query}", headers=headers)

    got = quote(quantity="12", company_id=acme, day="2026-03-01").get_json()["result"]
    assert (got["unit_price"], got["rule"], got["price_list"]["name"], got["min_quantity"]) == (
        "80.0000", "customer_price_list", "Acme deal", "10.0000")
    got = quote(quantity="12", company_id=bolt, day="2026-03-01").get_json()["result"]
    assert (got["unit_price"], got["rule"], got["price_list"]) == ("100.0000", "list_price", None)
    got = quote(quantity="1", currency="USD", company_id=acme,
                day="2026-03-01").get_json()["result"]
    assert (got["unit_price"], got["currency"], got["source_price"]) == ("13.5000", "USD",
                                                                         "90.0000")
    # no JPY rate: 400 naming the currency and the day
    resp = quote(currency="JPY", day="2026-03-01")
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "no exchange rate for JPY on or before 2026-03-01"
    resp = quote(currency="USD", day="2025-12-31")
    assert resp.status_code == 400 and "USD on or before 2025-12-31" in resp.get_json()["message"]
    for params, message in (({"quantity": "abc"}, "quantity: 'abc' is not a number"),
                            ({"day": "March"}, "day: 'March' is not an ISO date"),
                            ({"currency": "XXX"}, "currency: no active currency 'XXX'"),
                            ({"company_id": "999999"}, "company_id: no company #999999")):
        resp = quote(**params)
        assert resp.status_code == 400 and resp.get_json()["message"].startswith(message), \
            resp.get_json()
    with app.app_context():
        db.session.get(models().Product, pid).active = False
        db.session.commit()
    resp = quote()
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "product [W1] Product W1 is archived and cannot be " \
                                         "priced or sold"


def test_pricing_uses_the_tier_list_for_a_customer_without_its_own(sales_app):
    app = sales_app
    with app.app_context():
        from addons.contacts.models import Tier

        tier = Tier(name="Platinum test", sequence=99)
        db.session.add(tier)
        db.session.commit()
        tier_id = tier.id
    client_company = add_company(app, "Tiered")
    with app.app_context():
        from addons.contacts.models import Company

        db.session.get(Company, client_company).tier_id = tier_id
        db.session.commit()
    pid = add_product(app, "W1", "100")
    client = app.test_client()
    headers = bearer(client, "mia")
    list_id = client.post("/api/v1/price_list/", json={
        "name": "Platinum", "currency": currency_id(app, "CNY"), "tier": tier_id},
        headers=headers).get_json()["id"]
    assert client.post("/api/v1/price_list_item/", json={
        "price_list": list_id, "product": pid, "min_quantity": "0", "unit_price": "95.1234"},
        headers=headers).status_code == 201
    got = client.get(f"/api/v1/pricing/quote?product_id={pid}&company_id={client_company}",
                     headers=headers).get_json()["result"]
    assert (got["unit_price"], got["rule"], got["price_list"]["name"]) == (
        "95.1234", "tier_price_list", "Platinum")
    # archiving the list: back to the list price
    assert client.put(f"/api/v1/price_list/{list_id}", json={"active": False},
                      headers=headers).status_code == 200
    got = client.get(f"/api/v1/pricing/quote?product_id={pid}&company_id={client_company}",
                     headers=headers).get_json()["result"]
    assert got["rule"] == "list_price"
