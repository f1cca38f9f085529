"""Reliability of the order sync with real parts: PostgreSQL, a Redis broker,
`crossdock worker` and `crossdock scheduler` processes, and a real Tryton
server (a fresh database per test). Each test breaks something on the way
and then checks Tryton itself: every confirmed order is there exactly once,
with our lines and totals.

- workers killed with SIGKILL again and again during 500 orders;
- the ERP refusing connections, then answering 503, then back;
- the same message delivered twice;
- one order with a product Tryton does not know among 100 good ones;
- the Redis server restarted (empty) in the middle of a batch.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests import hub_processes
from tests.doubles.fault_proxy import FaultProxy
from tests.erp.tryton_shop import assert_exactly_once, order_lines, setup_shop, tryton_sales
from tests.helpers import login
from tests.hub_processes import wait_until as _wait

pytestmark = pytest.mark.postgres


class Hub(hub_processes.Hub):
    """The hub processes and a shop whose orders go to Tryton."""

    def setup_shop(self, erp_url: str, tryton, customers: int) -> None:
        setup_shop(self.app, erp_url, tryton, customers)

    def confirm_orders(self, count: int, bad: set[int] = frozenset()) -> dict[str, dict]:
        """`count` confirmed orders over the customers; those in `bad` carry a
        product Tryton does not know. Returns {number: expected lines + total}."""
        from addons.contacts.models import Company
        from addons.sales.models import Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line

        expected = {}
        with self.app.app_context():
            companies = db.session.scalars(select(Company).order_by(Company.id)).all()
            products = {p.code: p for p in db.session.scalars(select(Product))}
            for n in range(count):
                order = SalesOrder(company=companies[n % len(companies)],
                                   currency=products["TEST-A"].currency)
                db.session.add(order)
                lines = order_lines(n)
                if n in bad:
                    lines["NOT-IN-TRYTON"] = Decimal(1)
                for code, qty in lines.items():
                    new_line(db.session, order, products[code], qty)
                db.session.flush()
                order_states.confirm(db.session, order)
                db.session.commit()
                expected[order.number] = {"lines": {c: q for c, q in lines.items()},
                                          "untaxed": order.amount_untaxed, "id": order.id}
        return expected


@pytest.fixture
def hub(tmp_path, pg_admin_url, redis):
    made = Hub(tmp_path, pg_admin_url, redis)
    yield made
    made.stop()


def test_workers_killed_again_and_again_during_500_orders(hub, fresh_tryton):
    hub.setup_shop(fresh_tryton.url, fresh_tryton, customers=40)
    expected = hub.confirm_orders(500)
    hub.start_scheduler()
    for _ in range(2):
        hub.start_worker()
    kills, done_at_last_kill = 0, 0
    deadline = time.monotonic() + 900
    while not hub.all_finished(500) and time.monotonic() < deadline:
        time.sleep(3)
        done = hub.job_states().get("done", 0)
        alive = hub.alive_workers()
        # kill the older worker mid-batch, once both run and jobs got done since the
        # last kill (a worker killed while still starting would prove nothing)
        if done_at_last_kill < done < 450 and all(hub.working(w) for w in alive):
            hub.kill_worker(alive[0])
            kills += 1
            done_at_last_kill = done
            hub.start_worker()
    assert hub.all_finished(500), (hub.job_states(), hub.log_tail())
    assert kills >= 5
    assert hub.job_states() == {"done": 500}
    assert_exactly_once(fresh_tryton, expected)


def test_erp_refused_then_503_then_back(hub, fresh_tryton):
    proxy = FaultProxy("127.0.0.1", fresh_tryton.port).start()
    try:
        proxy.set_mode("refuse")
        hub.setup_shop(proxy.url, fresh_tryton, customers=10)
        expected = hub.confirm_orders(30)
        hub.start_scheduler()
        hub.start_worker()
        client = hub.app.test_client()
        login(client, "ops")

        def backlog():
            return client.get("/hub/dashboard/data").get_json()

        _wait(lambda: "cannot connect" in str(backlog()["per_backend"]) or any(
            "cannot connect" in (j or "") for j in _last_errors(hub)), 90,
            lambda: ("no connection refusal recorded", hub.job_states(), hub.log_tail()))
        data = backlog()  # the dashboard shows the backlog while the ERP is down
        assert data["per_backend"][0]["states"]["done"] == 0
        assert data["backlog"]["total"] + data["per_backend"][0]["states"]["running"] == 30
        proxy.set_mode("503", retry_after=1)
        _wait(lambda: any("503" in (j or "") for j in _last_errors(hub)), 90,
              lambda: ("no 503 recorded", _last_errors(hub)[:5], hub.log_tail()))
        assert hub.job_states().get("done", 0) == 0
        proxy.set_mode("pass")
        _wait(lambda: hub.all_finished(30), 180, lambda: (hub.job_states(), hub.log_tail()))
    finally:
        proxy.stop()
    assert hub.job_states() == {"done": 30}
    assert backlog()["backlog"]["total"] == 0
    assert_exactly_once(fresh_tryton, expected)


def _last_errors(hub) -> list[str | None]:
    from connectors.hub.models import SyncJob

    with hub.app.app_context():
        errors = db.session.scalars(select(SyncJob.last_error)).all()
        db.session.remove()
    return errors


def test_same_message_twice_and_unknown_product_among_100(hub, fresh_tryton):
    hub.setup_shop(fresh_tryton.url, fresh_tryton, customers=20)
    expected = hub.confirm_orders(101, bad={57})
    bad_number = next(n for n, e in expected.items() if "NOT-IN-TRYTON" in e["lines"])
    runtime = hub.app.extensions["hub"]
    with hub.app.app_context():
        from connectors.hub.models import SyncJob
        job_ids = db.session.scalars(select(SyncJob.id)).all()
    for job_id in job_ids[:50]:  # every one of these messages is delivered twice
        runtime.send(job_id)
    hub.start_scheduler()
    hub.start_worker()
    hub.start_worker()
    _wait(lambda: hub.all_finished(101), 300, lambda: (hub.job_states(), hub.log_tail()))
    assert hub.job_states() == {"done": 100, "failed": 1}
    with hub.app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.erp.status import erp_status
        [failed] = db.session.scalars(select(SyncJob).where(SyncJob.state == "failed")).all()
        assert failed.record_id == expected[bad_number]["id"] and failed.attempts == 1
        assert "NOT-IN-TRYTON" in failed.last_error
        order = db.session.get(SalesOrder, failed.record_id)
        assert any("sync failed" in s.text and "NOT-IN-TRYTON" in s.text for s in erp_status(order))
    good = {n: e for n, e in expected.items() if n != bad_number}
    assert_exactly_once(fresh_tryton, good)
    assert tryton_sales(fresh_tryton, [bad_number]) == {}


def test_broker_restart_mid_batch_loses_nothing(hub, redis, fresh_tryton):
    hub.setup_shop(fresh_tryton.url, fresh_tryton, customers=15)
    expected = hub.confirm_orders(60)
    hub.start_scheduler()
    hub.start_worker()
    _wait(lambda: hub.job_states().get("done", 0) >= 10, 120,
          lambda: (hub.job_states(), hub.log_tail()))
    redis.kill()  # every queued message is gone with it
    time.sleep(2)
    redis.start()  # same port, empty
    _wait(lambda: hub.all_finished(60), 240, lambda: (hub.job_states(), hub.log_tail()))
    assert hub.job_states() == {"done": 60}
    assert_exactly_once(fresh_tryton, expected)
