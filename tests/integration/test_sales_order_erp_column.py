"""The orders list's and REST list's "erp" column is read from the hub's
public API in one batch per page: the number of statements does not grow
with the number of listed orders that have jobs."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def shop(make_app):
    """sales installed, an ERP backend no worker talks to (jobs stay queued)."""
    app = make_app()
    install(app, "sales")
    add_user(app, "adm", ["Admin"])
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax
        from connectors.hub.backends import save_backend

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        tax = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        db.session.add(Product(code="CD-CHAIR", name="Chair", list_price=Decimal("120"),
                               currency=cny, tax=tax, active=True))
        db.session.add(Company(name="East China Logistics"))
        save_backend(db.session, None, name="odoo", kind="odoo", url="http://127.0.0.1:9",
                     database="odoo", username="admin", secret="key")
        db.session.commit()
    return app


def _confirm_orders(app, n):
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line

        company = db.session.scalars(select(Company)).first()
        product = db.session.scalars(select(Product)).one()
        for _ in range(n):
            order = SalesOrder(company=company, currency=product.currency)
            db.session.add(order)
            new_line(db.session, order, product, Decimal("2"))
            db.session.flush()
            order_states.confirm(db.session, order)
        db.session.commit()


def _statements(app, fetch) -> tuple[int, object]:
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args):
        seen.append(1)

    fetch()  # warm caches (permissions, menus)
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), result


def test_the_erp_column_costs_the_same_for_two_orders_as_for_eight(shop):
    """Each order's line says where it is, or what it waits for, in the
    same number of statements for 2 orders as for 8."""
    client = shop.test_client()
    login(client, "adm")
    api = shop.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'adm')}"}

    def page():
        return client.get("/orderview/list/").get_data(as_text=True)

    def rest():
        return api.get("/api/v1/salesorder/", headers=headers).get_json()

    _confirm_orders(shop, 2)  # one customer: the second waits behind the first
    few_page, html = _statements(shop, page)
    few_rest, body = _statements(shop, rest)
    assert html.count('order-erp"') == 2
    assert "odoo: sync queued (attempt 0)" in html
    assert "an earlier order of the same customer" in html
    texts = [row["erp"][0]["text"] for row in body["result"]]
    assert texts[-1] == "odoo: sync queued (attempt 0)"  # newest first: the first order last
    assert texts[0].startswith("odoo: not sent yet (waiting for SO")
    _confirm_orders(shop, 6)
    many_page, html = _statements(shop, page)
    many_rest, body = _statements(shop, rest)
    assert html.count('order-erp"') == 8
    assert len(body["result"]) == 8 and all(row["erp"] for row in body["result"])
    assert (many_page, many_rest) == (few_page, few_rest)
