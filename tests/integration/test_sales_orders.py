"""Quotations and orders: numbers, amounts from the lines, the state machine
(send, confirm, cancel, back to draft), refusals that leave the database as it
was, the lock on confirmed orders (form, REST, lines), record rules (own /
team / Finance reads confirmed) and the printable quotation in zh and en.

s1, s2 and mgr are in team A, s3 in team B; fin is Finance, ro Read-only."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "fin": (["Finance"], None), "ro": (["Read-only"], None)}


@pytest.fixture
def world(app):
    """Products in CNY (VAT 13% added, VAT 9% included) and USD (no rate yet),
    a company per salesperson and one quotation of s1 with two lines."""
    install(app, "sales")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax
        from connectors.hub.backends import save_backend

        # an ERP backend (nothing listens there, and no hub worker runs here:
        # the jobs confirmation writes stay queued for these tests to inspect)
        save_backend(db.session, None, name="ERP", kind="tryton", url="http://127.0.0.1:9",
                     database="shop", username="admin", secret="x")
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        usd = db.session.scalars(select(Currency).filter_by(code="USD")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        vat9i = Tax(name="VAT 9% incl.", rate=Decimal("9"), price_include=True)
        products = {
            "widget": Product(code="W-1", name="Widget 小部件", list_price=Decimal("10.005"),
                              currency=cny, tax=vat13),
            "gadget": Product(code="G-1", name="Gadget", list_price=Decimal("109"),
                              currency=cny, tax=vat9i),
            "usd": Product(code="U-1", name="Imported tool", list_price=Decimal("5"),
                           currency=usd, tax=vat13),
            "old": Product(code="O-1", name="Old model", list_price=Decimal("1"),
                           currency=cny, tax=vat13, active=False),
        }
        companies = {u: Company(name=f"Customer of {u}", owner_id=users[u])
                     for u in ("s1", "s2", "s3", "mgr")}
        db.session.add_all([vat9i, *products.values(), *companies.values()])
        db.session.commit()
        ids = {"users": users, "products": {k: p.id for k, p in products.items()},
               "companies": {k: c.id for k, c in companies.items()},
               "cny": cny.id, "usd": usd.id}
    ids["order"] = make_order(app, "s1", [("widget", "3", None, "0"), ("gadget", "2", None, "10")])
    return app, ids


def make_order(app, owner: str, lines, currency: str = "CNY", customer: bool = True) -> int:
    """A quotation of `owner` (as the system, so no rule is in the way);
    lines: (product code key, quantity, unit price or None, discount)."""
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, SalesOrder
        from addons.sales.services.orders.order_lines import new_line

        from flask_appbuilder.security.sqla.models import User as AbUser

        codes = {"widget": "W-1", "gadget": "G-1", "usd": "U-1", "old": "O-1"}

        user = db.session.scalars(select(AbUser).filter_by(username=owner)).one()
        company = db.session.scalars(select(Company).filter_by(
            name=f"Customer of {owner}")).first() if customer else None
        currency_row = db.session.scalars(select(Currency).filter_by(code=currency)).one()
        order = SalesOrder(company=company, currency=currency_row, owner_id=user.id,
                           team_id=None, validity_date=date.today() + timedelta(days=30))
        db.session.add(order)
        for key, qty, price, discount in lines:
            product = db.session.scalars(select(Product).filter_by(code=codes[key])).one()
            new_line(db.session, order, product, Decimal(qty),
                     unit_price_=Decimal(price) if price is not None else None,
                     discount=Decimal(discount))
        db.session.commit()
        return order.id


def snapshot(app) -> dict:
    """What a refused action must leave as it was."""
    with app.app_context():
        from addons.sales.models import SalesOrder, SalesOrderLine
        from connectors.hub.models import SyncJob

        db.session.expire_all()
        orders = [(o.id, o.number, o.state, o.amount_total, o.version)
                  for o in db.session.scalars(select(SalesOrder).order_by(SalesOrder.id))]
        lines = [(ln.id, ln.quantity, ln.unit_price, ln.discount)
                 for ln in db.session.scalars(select(SalesOrderLine).order_by(SalesOrderLine.id))]
        syncs = db.session.scalar(select(func.count(SyncJob.id)))
        return {"orders": orders, "lines": lines, "syncs": syncs}


def order_row(app, order_id):
    """The stored order with its lines, readable after the app context ends."""
    with app.app_context():
        from sqlalchemy.orm import selectinload

        from addons.sales.models import SalesOrder

        db.session.expire_all()
        order = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)
                                   .options(selectinload(SalesOrder.lines))).one()
        db.session.expunge_all()
        return order


def bearer(client, user):
    return {"Authorization": f"Bearer {api_token(client, user)}"}


# --- numbers and amounts --------------------------------------------------------------

def test_amounts_are_the_hand_computed_decimals(world):
    app, ids = world
    order = order_row(app, ids["order"])
    # widget: 3 x 10.005 = 30.015 -> 30.02, VAT 13% added: 3.9026 -> 3.90
    # gadget: 2 x 109 less 10% = 196.20 including VAT 9%: 196.20 / 1.09 = 180.00, tax 16.20
    assert order.number == f"SO{date.today().year}-00001"
    assert [(ln.amount_untaxed, ln.amount_tax, ln.amount_total) for ln in order.lines] == [
        (Decimal("30.02"), Decimal("3.90"), Decimal("33.92")),
        (Decimal("180.00"), Decimal("16.20"), Decimal("196.20"))]
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (
        Decimal("210.02"), Decimal("20.10"), Decimal("230.12"))
    assert order.lines[1].price_include is True and order.lines[0].price_include is False


def test_amounts_follow_every_line_change_and_jpy_has_no_decimals(world):
    app, ids = world
    with app.app_context():
        from addons.sales.models import SalesOrder

        order = db.session.get(SalesOrder, ids["order"])
        order.lines[0].quantity = Decimal("1")
        db.session.commit()
        assert order.amount_total == Decimal("11.31") + Decimal("196.20")  # 10.01 + 1.30
        del order.lines[1]
        db.session.commit()
        db.session.expire_all()
        assert order.amount_total == Decimal("11.31") and len(order.lines) == 1
    jpy_id = make_order(app, "s1", [("widget", "3", "333.5", "0")], currency="JPY")
    order = order_row(app, jpy_id)
    # 1000.5 -> 1001 yen; 13% = 130.13 -> 130
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (
        Decimal("1001"), Decimal("130"), Decimal("1131"))
    assert order.number.endswith("-00002")


# --- the state machine ------------------------------------------------------------------

def test_send_confirm_cancel_writes_erp_jobs_audit_and_timeline(world):
    app, ids = world
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.timeline import entries_of
        from addons.sales.models import SalesOrder
        from addons.sales.services.erp.status import erp_status
        from addons.sales.services.orders import erp_answers, order_states
        from connectors.hub.models import SyncJob
        from core.security.audit import AuditLog

        order = db.session.get(SalesOrder, ids["order"])
        order_states.send(db.session, order)
        db.session.commit()
        assert order.state == "sent" and order.sent_at is not None
        order_states.confirm(db.session, order)
        db.session.commit()
        assert order.state == "confirmed" and order.confirmed_at is not None
        jobs = db.session.scalars(select(SyncJob)).all()
        assert [(j.record_id, j.kind, j.state, j.backend.name) for j in jobs] == [
            (order.id, "sales.order.push", "queued", "ERP")]
        assert [s.text for s in erp_status(order)] == ["ERP: sync queued (attempt 0)"]
        company = db.session.get(Company, ids["companies"]["s1"])
        entries = entries_of(db.session, company)
        assert [e.kind for e in entries] == ["order"]
        assert entries[0].subject == f"{order.number}: confirmed, 230.12 CNY"

        with pytest.raises(order_states.OrderCheckError, match="reason"):
            order_states.cancel(db.session, order, "  ")
        order_states.cancel(db.session, order, "Customer went bankrupt")
        db.session.commit()
        # the ERP may have it: a request, until the ERP's cancel job answers
        assert (order.state, order.cancel_status, order.cancel_reason) == (
            "confirmed", "pending", "Customer went bankrupt")
        kinds = [j.kind for j in db.session.scalars(select(SyncJob).order_by(SyncJob.id))]
        assert kinds == ["sales.order.push", "sales.order.cancel"]
        with pytest.raises(order_states.OrderStateError, match="already requested"):
            order_states.cancel(db.session, order, "again")
        erp_answers.settle_cancellation(db.session, order.id, "ERP", True, "cancelled there",
                                         still_waiting=False)
        db.session.commit()
        db.session.refresh(order)
        assert (order.state, order.cancel_status, order.cancel_reason) == (
            "cancelled", None, "Customer went bankrupt")
        assert len(entries_of(db.session, company)) == 1  # the same entry, updated
        with pytest.raises(order_states.OrderStateError, match="was confirmed"):
            order_states.reset_to_draft(db.session, order)
        events = [a for (a,) in db.session.execute(
            select(AuditLog.action).where(AuditLog.model == "SalesOrder",
                                          AuditLog.record_id == str(order.id))
            .order_by(AuditLog.id))]
        assert [e for e in events if e in ("send", "confirm", "cancel_requested", "cancel")] == [
            "send", "confirm", "cancel_requested", "cancel"]


def test_a_cancelled_quotation_goes_back_to_draft(world):
    app, ids = world
    with app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.orders import order_states
        from connectors.hub.models import SyncJob

        order = db.session.get(SalesOrder, ids["order"])
        order_states.cancel(db.session, order, "wrong prices")
        db.session.commit()
        assert db.session.scalar(select(func.count(SyncJob.id))) == 0
        with pytest.raises(order_states.OrderStateError, match="already cancelled"):
            order_states.cancel(db.session, order, "again")
        order_states.reset_to_draft(db.session, order)
        db.session.commit()
        assert (order.state, order.cancel_reason) == ("draft", None)


@pytest.mark.parametrize("case, message", [
    ("no lines", "add at least one line"),
    ("negative quantity", "line 2: quantity: [G-1] Gadget: quantity must be more than 0"),
    ("zero quantity", "line 1: quantity"),
    ("negative price", "line 1: unit_price: [W-1] Widget 小部件: the unit price may not be negative"),
    ("discount over 100", "line 1: discount: [W-1] Widget 小部件: the discount must be between"),
    ("archived product", "line 2: product: product [O-1] Old model is archived"),
    ("order currency without rate", "no exchange rate for USD on or before"),
    ("line currency without rate", "no exchange rate for USD on or before"),
    ("no customer", "a customer (company or person) is required"),
])
def test_confirm_refusals_change_nothing(world, case, message):
    app, ids = world
    lines = {"no lines": [],
             "negative quantity": [("widget", "1", None, "0"), ("gadget", "-2", "109", "0")],
             "zero quantity": [("widget", "0", "10", "0")],
             "negative price": [("widget", "1", "-5", "0")],
             "discount over 100": [("widget", "1", None, "150")],
             "archived product": [("widget", "1", None, "0"), ("old", "1", "1", "0")],
             "order currency without rate": [("widget", "1", "3", "0")],
             "line currency without rate": [("usd", "1", "3", "0")],
             "no customer": [("widget", "1", None, "0")]}[case]
    order_id = make_order(app, "s1", lines, customer=case != "no customer",
                          currency="USD" if case == "order currency without rate" else "CNY")
    before = snapshot(app)
    client = app.test_client()
    resp = client.post(f"/api/v1/salesorder/{order_id}/confirm", headers=bearer(client, "s1"))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert message in resp.get_json()["message"]
    assert snapshot(app) == before


# --- screens ------------------------------------------------------------------------------

def test_quotation_screens_lines_and_buttons(world):
    app, ids = world
    client = app.test_client()
    token = login(client, "s1")
    page = client.get(f"/quotationview/show/{ids['order']}").get_data(as_text=True)
    assert "230.12 CNY" in page and 'id="order-confirm"' in page
    assert 'name="new-product_id"' in page and "Gadget" in page
    # the product picker answers a few matches, not every product
    found = client.get("/quotationview/product_choices?q=widg").get_json()["results"]
    assert [r["text"] for r in found] == ["[W-1] Widget 小部件"]
    order = order_row(app, ids["order"])
    first, second = order.lines
    resp = client.post(f"/quotationview/lines/{ids['order']}", data={
        "csrf_token": token, f"line-{first.id}-quantity": "4",
        f"line-{second.id}-remove": "1",
        "new-product_id": str(ids["products"]["widget"]), "new-quantity": "2",
        "new-unit_price": "1.50"})
    assert resp.status_code == 302
    order = order_row(app, ids["order"])
    # 4 x 10.005 = 40.02 + 5.20 tax; 2 x 1.50 = 3.00 + 0.39
    assert [(ln.quantity, ln.amount_total) for ln in order.lines] == [
        (Decimal("4"), Decimal("45.22")), (Decimal("2"), Decimal("3.39"))]
    assert order.amount_total == Decimal("48.61")
    before = snapshot(app)
    resp = client.post(f"/quotationview/lines/{ids['order']}", data={
        "csrf_token": token, f"line-{first.id}-quantity": "-1"}, follow_redirects=True)
    flashed = re.findall(r"alert-danger[^>]*>(.*?)</div>", resp.get_data(as_text=True), re.S)
    assert any("lines[1].quantity" in f and "more than 0" in f for f in flashed), flashed
    assert snapshot(app) == before
    # Send then Confirm by the buttons; the order moves to Sales > Orders with its badge
    client.post(f"/quotationview/send/{ids['order']}", data={"csrf_token": token})
    assert order_row(app, ids["order"]).state == "sent"
    resp = client.post(f"/quotationview/confirm/{ids['order']}", data={"csrf_token": token})
    assert resp.status_code == 302 and f"/orderview/show/{ids['order']}" in resp.location
    listed = client.get("/orderview/list/").get_data(as_text=True)
    assert order.number in listed and "ERP: sync queued" in listed and "48.61 CNY" in listed
    assert order.number not in client.get("/quotationview/list/").get_data(as_text=True)
    # no state change by GET, none without the CSRF token
    assert client.get(f"/orderview/cancel/{ids['order']}").status_code == 405
    client.post(f"/orderview/cancel/{ids['order']}", data={"reason": "x"})
    assert order_row(app, ids["order"]).state == "confirmed"


def test_new_quotation_from_an_opportunity_is_prefilled(world):
    app, ids = world
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Lead

        lead = Lead(type="opportunity", name="Big deal", owner_id=ids["users"]["s1"],
                    company=db.session.get(Company, ids["companies"]["s1"]),
                    currency=db.session.scalars(select(Currency).filter_by(code="USD")).one())
        db.session.add(lead)
        db.session.commit()
        lead_id = lead.id
    client = app.test_client()
    token = login(client, "s1")
    page = client.get(f"/quotationview/add?lead_id={lead_id}").get_data(as_text=True)
    assert f'value="{ids["companies"]["s1"]}" selected>Customer of s1' in page
    assert re.search(rf'name="lead_id"[^>]*value="{lead_id}"', page) or re.search(
        rf'value="{lead_id}"[^>]*name="lead_id"', page)
    resp = client.post("/quotationview/add", data={
        "csrf_token": token, "lead_id": str(lead_id), "company": str(ids["companies"]["s1"]),
        "person": "", "currency": str(ids["usd"]), "price_list": "",
        "order_date": date.today().isoformat(), "validity_date": "", "owner": "",
        "team": "", "note": "from the opportunity"})
    assert resp.status_code == 302
    with app.app_context():
        from addons.sales.models import SalesOrder

        order = db.session.scalars(select(SalesOrder).filter_by(lead_id=lead_id)).one()
        assert (order.owner_id, order.company_id, order.currency.code, order.state) == (
            ids["users"]["s1"], ids["companies"]["s1"], "USD", "draft")


# --- the lock on confirmed orders ----------------------------------------------------------

def confirmed(app, ids):
    with app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.orders import order_states

        order = db.session.get(SalesOrder, ids["order"])
        order_states.confirm(db.session, order)
        db.session.commit()
        return order.id, [line.id for line in order.lines]


def test_a_confirmed_order_is_locked_on_every_path(world):
    app, ids = world
    order_id, line_ids = confirmed(app, ids)
    before = snapshot(app)
    client = app.test_client()
    token = login(client, "s1")
    # the edit form: refused with the reason, nothing saved
    page = client.get(f"/orderview/edit/{order_id}", follow_redirects=True).get_data(as_text=True)
    assert "cannot be changed" in page
    resp = client.post(f"/orderview/edit/{order_id}", follow_redirects=True, data={
        "csrf_token": token, "company": str(ids["companies"]["s1"]), "currency": str(ids["cny"]),
        "order_date": date.today().isoformat(), "note": "changed"})
    assert "cannot be changed" in resp.get_data(as_text=True)
    # the line editor
    resp = client.post(f"/quotationview/lines/{order_id}", follow_redirects=True, data={
        "csrf_token": token, f"line-{line_ids[0]}-quantity": "99"})
    assert "cannot be changed" in resp.get_data(as_text=True)
    # REST: PUT of the header, PUT of the lines, DELETE
    headers = bearer(client, "s1")
    for body in ({"note": "changed"}, {"lines": [{"product_id": ids["products"]["widget"],
                                                 "quantity": "1"}]}):
        resp = client.put(f"/api/v1/salesorder/{order_id}", json=body, headers=headers)
        assert resp.status_code == 409 and "cannot be changed" in resp.get_json()["message"]
    # a salesperson may not delete orders at all; the manager may delete quotations only
    assert client.delete(f"/api/v1/salesorder/{order_id}", headers=headers).status_code == 403
    manager = app.test_client()
    resp = manager.delete(f"/api/v1/salesorder/{order_id}", headers=bearer(manager, "mgr"))
    assert resp.status_code == 409, resp.get_data(as_text=True)
    assert "cannot be changed" in resp.get_json()["message"]
    # a script: the session guard
    with app.app_context():
        from addons.sales.models import SalesOrderLine
        from addons.sales.services.orders.order_lock import OrderLocked

        line = db.session.get(SalesOrderLine, line_ids[0])
        line.quantity = Decimal("99")
        with pytest.raises(OrderLocked, match="cannot be changed"):
            db.session.flush()
        db.session.rollback()
    assert snapshot(app) == before
    # a second confirmation is refused, the cancel path still works
    resp = client.post(f"/api/v1/salesorder/{order_id}/confirm", headers=headers)
    assert resp.status_code == 409 and "already confirmed" in resp.get_json()["message"]
    resp = client.post(f"/api/v1/salesorder/{order_id}/cancel", json={"reason": "duplicate"},
                       headers=headers)
    result = resp.get_json()["result"]
    assert resp.status_code == 200 and (result["state"], result["cancel_status"]) == (
        "confirmed", "pending")  # an ERP backend exists: cancelled once it answers


# --- REST ------------------------------------------------------------------------------

def test_rest_create_update_and_actions(world):
    app, ids = world
    client = app.test_client()
    headers = bearer(client, "s2")
    body = {"company_id": ids["companies"]["s2"], "currency_id": ids["cny"],
            "lines": [{"product_id": ids["products"]["widget"], "quantity": "3"},
                      {"product_id": ids["products"]["gadget"], "quantity": 2,
                       "discount": 10}]}
    resp = client.post("/api/v1/salesorder/", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    created = resp.get_json()["result"]
    assert (created["state"], created["amount_total"], created["owner_id"]) == (
        "draft", "230.1200", ids["users"]["s2"])
    assert [ln["unit_price"] for ln in created["lines"]] == ["10.0050", "109.0000"]
    pk = resp.get_json()["id"]
    for bad, field, line in (
            ({"state": "confirmed"}, "state", None),
            ({"amount_total": "1"}, "amount_total", None),
            ({"lines": [{"product_id": ids["products"]["widget"], "quantity": "-1"}]},
             "quantity", 1),
            ({"lines": [{"product_id": ids["products"]["widget"], "quantity": "1"},
                        {"product_id": ids["products"]["old"], "quantity": "1"}]},
             "product_id", 2),
            ({"lines": [{"product_id": ids["products"]["widget"], "quantity": "1",
                         "discount": "101"}]}, "discount", 1),
            ({"company_id": ids["companies"]["s3"]}, "company_id", None)):
        before = snapshot(app)
        resp = client.put(f"/api/v1/salesorder/{pk}", json=bad, headers=headers)
        assert resp.status_code == 400, (bad, resp.get_data(as_text=True))
        answer = resp.get_json()
        assert answer["field"] == field and answer.get("line") == line, answer
        assert snapshot(app) == before
    resp = client.put(f"/api/v1/salesorder/{pk}", headers=headers, json={
        "note": "net 30", "lines": [{"product_id": ids["products"]["widget"],
                                     "quantity": "1", "unit_price": "100"}]})
    assert resp.status_code == 200
    assert resp.get_json()["result"]["amount_total"] == "113.0000"
    assert client.post(f"/api/v1/salesorder/{pk}/send", headers=headers).status_code == 200
    resp = client.post(f"/api/v1/salesorder/{pk}/confirm", headers=headers)
    assert resp.status_code == 200
    [erp] = resp.get_json()["result"]["erp"]
    assert erp["text"] == "ERP: sync queued (attempt 0)" and erp["job_id"] > 0
    resp = client.post(f"/api/v1/salesorder/{pk}/cancel", json={}, headers=headers)
    assert resp.status_code == 400 and resp.get_json()["field"] == "reason"
    add_user(app, "adm", ["Admin"])
    admin = app.test_client()
    spec = admin.get("/api/v1/_openapi", headers=bearer(admin, "adm")).get_json()
    actions = {f"/api/v1/salesorder/{{pk}}/{a}" for a in ("send", "confirm", "cancel")}
    assert actions <= set(spec["paths"])
    confirm_doc = spec["paths"]["/api/v1/salesorder/{pk}/confirm"]["post"]
    assert {"200", "400", "404", "409"} <= {str(k) for k in confirm_doc["responses"]}
    assert "lines" in spec["components"]["schemas"]["OrderApi.post"]["properties"]


# --- record rules --------------------------------------------------------------------------

def test_salespeople_see_their_own_and_finance_reads_confirmed_only(world):
    app, ids = world
    orders = {"s1": ids["order"], "s3": make_order(app, "s3", [("widget", "1", None, "0")]),
              "mgr": make_order(app, "mgr", [("widget", "1", None, "0")])}
    confirmed_id = make_order(app, "s2", [("widget", "2", None, "0")])
    with app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.orders import order_states

        order_states.confirm(db.session, db.session.get(SalesOrder, confirmed_id))
        db.session.commit()
    numbers = {k: order_row(app, v).number for k, v in {**orders, "s2": confirmed_id}.items()}
    visible = {"s1": {"s1"}, "s3": {"s3"}, "mgr": {"s1", "s2", "mgr"},
               "fin": {"s2"}, "ro": {"s1", "s2", "s3", "mgr"}}
    for user, sees in visible.items():
        client = app.test_client()
        token = login(client, user)
        listed = (client.get("/quotationview/list/").get_data(as_text=True)
                  + client.get("/orderview/list/").get_data(as_text=True))
        assert {k for k, n in numbers.items() if n in listed} == sees, user
        headers = bearer(client, user)
        api = client.get("/api/v1/salesorder/", headers=headers).get_json()
        assert {r["number"] for r in api["result"]} == {numbers[k] for k in sees}, user
        for owner, number in numbers.items():
            pk = confirmed_id if owner == "s2" else orders[owner]
            expected = 200 if owner in sees else 404
            assert client.get(f"/api/v1/salesorder/{pk}", headers=headers).status_code == expected
            assert client.get(f"/sales/quotation/{pk}/print").status_code == expected, (user, owner)
        if user in ("fin", "ro"):  # readers cannot write, not even a confirmed order's cancel
            before = snapshot(app)
            resp = client.post(f"/api/v1/salesorder/{confirmed_id}/cancel",
                               json={"reason": "x"}, headers=headers)
            assert resp.status_code in (401, 403), resp.status_code
            resp = client.put(f"/api/v1/salesorder/{confirmed_id}", json={"note": "x"},
                              headers=headers)
            assert resp.status_code in (401, 403)
            client.post(f"/orderview/cancel/{confirmed_id}", data={"csrf_token": token,
                                                                   "reason": "x"})
            assert snapshot(app) == before


# --- the printed quotation -------------------------------------------------------------------

def test_print_in_chinese_and_english(world):
    app, ids = world
    client = app.test_client()
    login(client, "s1")
    zh = client.get(f"/sales/quotation/{ids['order']}/print?lang=zh").get_data(as_text=True)
    en = client.get(f"/sales/quotation/{ids['order']}/print?lang=en").get_data(as_text=True)
    total = re.compile(r'id="doc-total">([^<]+)<')
    assert total.search(zh).group(1) == total.search(en).group(1) == "230.12 CNY"
    assert 'id="doc-untaxed">210.02 CNY' in zh and 'id="doc-tax">20.10 CNY' in en
    assert "报价单" in zh and "合计" in zh and "有效期至" in zh and "Quotation" not in zh
    assert "Quotation" in en and "Valid until" in en and "合计" not in en
    today = date.today()
    assert f"{today.year}年{today.month}月{today.day}日" in zh
    assert "Customer of s1" in zh and "@page { size: A4" in zh
    jpy = make_order(app, "s1", [("widget", "3", "1000.5", "0")], currency="JPY")
    page = client.get(f"/sales/quotation/{jpy}/print?lang=en").get_data(as_text=True)
    assert total.search(page).group(1) == "3,392 JPY"  # 3001.5 -> 3002 + 390 tax


def test_quotation_header_is_edited_by_form_and_others_cannot_reach_it(world):
    app, ids = world
    client = app.test_client()
    token = login(client, "s1")
    form = client.get(f"/quotationview/edit/{ids['order']}").get_data(as_text=True)
    for column in ("state", "number", "amount_total", "erp"):
        assert f'name="{column}"' not in form
    resp = client.post(f"/quotationview/edit/{ids['order']}", data={
        "csrf_token": token, "company": str(ids["companies"]["s1"]), "person": "",
        "currency": str(ids["cny"]), "price_list": "", "order_date": date.today().isoformat(),
        "validity_date": (date.today() + timedelta(days=10)).isoformat(),
        "owner": str(ids["users"]["s1"]), "team": "", "note": "Delivery in 2 weeks",
        "state": "confirmed", "amount_total": "1"})
    assert resp.status_code == 302
    order = order_row(app, ids["order"])
    assert (order.note, order.state, order.amount_total) == (
        "Delivery in 2 weeks", "draft", Decimal("230.12"))
    # a colleague of the same team (a salesperson) does not see it at all
    other = app.test_client()
    other_token = login(other, "s2")
    assert other.get(f"/quotationview/show/{ids['order']}").status_code == 404
    before = snapshot(app)
    resp = other.post(f"/quotationview/lines/{ids['order']}", data={
        "csrf_token": other_token, "new-product_id": str(ids["products"]["widget"])})
    assert resp.status_code == 404
    resp = other.post(f"/quotationview/confirm/{ids['order']}", data={"csrf_token": other_token})
    assert resp.status_code == 404
    assert snapshot(app) == before
