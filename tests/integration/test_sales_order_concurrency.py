"""Concurrent confirmations of one quotation, and concurrent numbering, on
real SQLite and PostgreSQL with threads: exactly one confirmation wins (one
confirmed order, one ERP job, the others told "already confirmed"), and
orders created at the same time never share a number."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, install

pytestmark = pytest.mark.addons("sales")

THREADS = 4


@pytest.fixture
def quotation(app):
    install(app, "sales")
    add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, SalesOrder, Tax
        from addons.sales.services.orders.order_lines import new_line
        from connectors.hub.backends import save_backend

        save_backend(db.session, None, name="ERP", kind="tryton", url="http://127.0.0.1:9",
                     database="shop", username="admin", secret="x")  # no worker runs here

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        tax = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        product = Product(code="W-1", name="Widget", list_price=Decimal("10"), currency=cny,
                          tax=tax, active=True)
        from flask_appbuilder.security.sqla.models import User

        owner = db.session.scalars(select(User).filter_by(username="s1")).one()
        order = SalesOrder(company=Company(name="ACME", owner_id=owner.id), currency=cny,
                           owner_id=owner.id)
        db.session.add_all([product, order])
        new_line(db.session, order, product, Decimal("2"))
        db.session.commit()
        return order.id


def outcome(app, order_id):
    with app.app_context():
        from addons.sales.models import SalesOrder
        from connectors.hub.models import SyncJob

        db.session.expire_all()
        order = db.session.get(SalesOrder, order_id)
        jobs = db.session.scalar(select(func.count(SyncJob.id))
                                 .where(SyncJob.record_id == order_id))
        return order.state, jobs


def test_threads_confirming_the_same_quotation_one_wins(app, quotation):
    barrier = threading.Barrier(THREADS)
    with app.app_context():
        # SQLite: a writing transaction holds the lock from its first read
        # (core/db.py), so the others read the order only once it is confirmed
        all_read_the_draft = db.engine.dialect.name != "sqlite"

    def attempt(_):
        with app.app_context():
            from addons.sales.services.orders import order_states

            order = order_states.load_for_update(db.session, quotation)
            if all_read_the_draft:
                assert order.state == "draft"
                barrier.wait(timeout=30)  # every thread has read the draft: all race the UPDATE
            try:
                order_states.confirm(db.session, order)
                db.session.commit()
                return "confirmed"
            except order_states.OrderStateError as exc:
                db.session.rollback()
                return str(exc)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(attempt, range(THREADS)))
    assert results.count("confirmed") == 1, results
    assert all("already confirmed" in r for r in results if r != "confirmed"), results
    assert outcome(app, quotation) == ("confirmed", 1)


def test_concurrent_rest_confirms_give_one_200_and_409s(app, quotation):
    tokens = [api_token(app.test_client(), "s1") for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def attempt(token):
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post(f"/api/v1/salesorder/{quotation}/confirm",
                           headers={"Authorization": f"Bearer {token}"})
        return resp.status_code, resp.get_json()["message"] if resp.status_code != 200 else ""

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(attempt, tokens))
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (THREADS - 1), results
    assert outcome(app, quotation) == ("confirmed", 1)


def test_orders_created_at_once_get_distinct_numbers(app, quotation):
    barrier = threading.Barrier(THREADS)

    def create(_):
        with app.app_context():
            from addons.sales.models import Currency, SalesOrder

            try:
                cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
                db.session.commit()  # end the read: on SQLite it holds the write lock
                barrier.wait(timeout=30)
                for attempt in range(5):  # SQLite: a writer that lost the lock race retries
                    try:
                        order = SalesOrder(currency=cny)
                        db.session.add(order)
                        db.session.commit()
                        return order.number
                    except Exception as exc:  # noqa: BLE001 - 'database is locked' only
                        db.session.rollback()
                        if "locked" not in str(exc):
                            raise
                raise AssertionError("never got the write lock")
            finally:
                db.session.remove()

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = list(pool.map(create, range(THREADS)))
    assert len(set(numbers)) == THREADS
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(2, THREADS + 2))
