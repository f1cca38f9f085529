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
from tests.helpers import add_user, api_token, csrf_token, install, login

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
        from addons.sales.services.order_lines import new_line

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
        from addons.sales.models import OrderSyncRequest, SalesOrder, SalesOrderLine

        db.session.expire_all()
        orders = [(o.id, o.number, o.state, o.amount_total, o.version, o.sync_state)
                  for o in db.session.scalars(select(SalesOrder).order_by(SalesOrder.id))]
        lines = [(ln.id, ln.quantity, ln.unit_price, ln.discount)
                 for ln in db.session.scalars(select(SalesOrderLine).order_by(SalesOrderLine.id))]
        syncs = db.session.scalar(select(func.count(OrderSyncRequest.id)))
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

def test_send_confirm_cancel_writes_sync_requests_audit_and_timeline(world):
    app, ids = world
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.timeline import entries_of
        from addons.sales.models import OrderSyncRequest, SalesOrder
        from addons.sales.services import order_states
        from core.security.audit import AuditLog

        order = db.session.get(SalesOrder, ids["order"])
        order_states.send(db.session, order)
        db.session.commit()
        assert order.state == "sent" and order.sent_at is not None
        order_states.confirm(db.session, order)
        db.session.commit()
        assert (order.state, order.sync_state) == ("confirmed", "pending")
        assert order.confirmed_at is not None
        requests = db.session.scalars(select(OrderSyncRequest)).all()
        assert [(r.order_id, r.kind, r.consumed_at) for r in requests] == [
            (order.id, "confirm", None)]
        company = db.session.get(Company, ids["companies"]["s1"])
        entries = entries_of(db.session, company)
        assert [e.kind for e in entries] == ["order"]
        assert entries[0].subject == f"{order.number}: confirmed, 230.12 CNY"

        with pytest.raises(order_states.OrderCheckError, match="reason"):
            order_states.cancel(db.session, order, "  ")
        order_states.cancel(db.session, order, "Customer went bankrupt")
        db.session.commit()
        assert (order.state, order.cancel_reason) == ("cancelled", "Customer went bankrupt")
        kinds = [r.kind for r in db.session.scalars(
            select(OrderSyncRequest).order_by(OrderSyncRequest.id))]
        assert kinds == ["confirm", "cancel"]
        assert len(entries_of(db.session, company)) == 1  # the same entry, updated
        with pytest.raises(order_states.OrderStateError, match="was confirmed"):
            order_states.reset_to_draft(db.session, order)
        events = [a for (a,) in db.session.execute(
            select(AuditLog.action).where(AuditLog.model == "SalesOrder",
                                          AuditLog.record_id == str(order.id))
            .order_by(AuditLog.id))]
        assert [e for e in events if e in ("send", "confirm", "cancel")] == [
            "send", "confirm", "cancel"]


def test_a_cancelled_quotation_goes_back_to_draft(world):
    app, ids = world
    with app.app_context():
        from addons.sales.models import OrderSyncRequest, SalesOrder
        from addons.sales.services import order_states

        order = db.session.get(SalesOrder, ids["order"])
        order_states.cancel(db.session, order, "wrong prices")
        db.session.commit()
        assert db.session.scalar(select(func.count(OrderSyncRequest.id))) == 0
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
