"""The invoicing tests' world: users per role, two products with odd
rounding and a price-included tax, a confirmed order of s1 (team A), and
service calls as the Finance user. Imported by tests/integration/test_invoicing_*.py
(the `world` fixture with them)."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, install

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "fin": (["Finance"], None), "ro": (["Read-only"], None)}


def confirmed_order(app, owner: str, lines, team: str | None = None) -> int:
    """A confirmed order of `owner`'s company; lines: (code, quantity, price, discount)."""
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line
        from core.security.teams import Team

        user = db.session.scalars(select(User).filter_by(username=owner)).one()
        company = db.session.scalars(select(Company).filter_by(
            name=f"Customer of {owner}")).one()
        team_row = db.session.scalars(select(Team).filter_by(name=team)).one() if team else None
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        order = SalesOrder(company=company, currency=cny, owner_id=user.id,
                           team_id=team_row.id if team_row else None)
        db.session.add(order)
        for code, qty, price, discount in lines:
            product = db.session.scalars(select(Product).filter_by(code=code)).one()
            new_line(db.session, order, product, Decimal(qty),
                     unit_price_=Decimal(price) if price is not None else None,
                     discount=Decimal(discount))
        db.session.commit()
        order_states.confirm(db.session, order)
        db.session.commit()
        return order.id


@pytest.fixture
def world(app):
    """W-1 at 10.005 with VAT 13% added (odd rounding), G-1 at 109 with VAT 9%
    included; an order of s1 (team A) of 3 x W-1 and 2 x G-1 less 10%:
    30.02 + 3.90 and 180.00 + 16.20 = 230.12 CNY."""
    install(app, "invoicing_link")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        vat9i = Tax(name="VAT 9% incl.", rate=Decimal("9"), price_include=True)
        db.session.add_all([
            vat9i,
            Product(code="W-1", name="Widget 小部件", list_price=Decimal("10.005"),
                    currency=cny, tax=vat13),
            Product(code="G-1", name="Gadget", list_price=Decimal("109"), currency=cny,
                    tax=vat9i),
            *(Company(name=f"Customer of {u}", owner_id=users[u]) for u in ("s1", "s2", "s3"))])
        db.session.commit()
    order_id = confirmed_order(app, "s1", [("W-1", "3", None, "0"), ("G-1", "2", None, "10")],
                               team="A")
    return app, {"users": users, "order": order_id}


def as_finance(app):
    """Run service calls as the Finance user (the actor the record rules see)."""
    from flask_login import login_user
    from flask_appbuilder.security.sqla.models import User

    user = db.session.scalars(select(User).filter_by(username="fin")).one()
    login_user(user)


def load(order_id):
    from addons.sales.models import SalesOrder

    return db.session.get(SalesOrder, order_id)


def totals(invoice):
    return (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total)


def jobs_run_out(app, timeout=60.0) -> list:
    """Run the hub's workers until every job has ended; the jobs' (kind, state,
    result or last error), in order."""
    from connectors.hub.models import SyncJob

    hub = app.extensions["hub"]
    hub.start_worker(2)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with app.app_context():
                jobs = [(j.kind, j.state, j.result or j.last_error)
                        for j in db.session.scalars(select(SyncJob).order_by(SyncJob.id))]
                db.session.remove()
            if jobs and all(state in ("done", "failed", "cancelled") for _, state, _ in jobs):
                return jobs
            time.sleep(0.05)
        raise AssertionError(f"jobs still running: {jobs}")
    finally:
        hub.stop()
