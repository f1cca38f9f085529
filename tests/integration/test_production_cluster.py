"""Crossdock as production runs it, several processes on one PostgreSQL (issue 22):
web processes (gunicorn), `crossdock worker` and `crossdock scheduler`
processes, a Redis or a RabbitMQ broker, and a real Tryton as the ERP.

- Redis: two web processes, each its own gunicorn control socket, two
  workers, two schedulers. An addon installed
  through web process A answers on web process B within 5 s; the elected
  scheduler killed (-9), the standby holds the lease within seconds; orders
  confirmed through both web processes' REST API, one worker killed (-9)
  while it holds jobs and not replaced: the standby's sweep gives them back,
  and every order reaches Tryton exactly once, lines and totals to the cent.
- RabbitMQ: one web process, one worker killed (-9) mid-batch and restarted:
  the same exactly-once check.
"""
from __future__ import annotations

import re
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from core.db import db
from tests.erp.tryton_shop import assert_exactly_once, order_lines, setup_shop
from tests.helpers import PASSWORD, csrf_token
from tests.hub_processes import GUNICORN, Hub, wait_until

pytestmark = pytest.mark.postgres
PROPAGATION_SECONDS = 5  # the promise made to admins: an install reaches every process
# same host and the holder's pid gone: taken at the next tick (1 s here), not after
# the 30 s lease (connectors/hub/scheduler.py); a few ticks of slack for a busy machine
TAKEOVER_SECONDS = 10


@pytest.fixture
def make_hub(tmp_path, pg_admin_url):
    made = []

    def make(broker) -> Hub:
        made.append(Hub(tmp_path, pg_admin_url, broker))
        return made[-1]
    yield make
    for hub in made:
        hub.stop()


def api(base_url: str) -> requests.Session:
    """A REST client of "ops" (Admin), logged in through `base_url`."""
    session = requests.Session()
    resp = session.post(base_url + "/api/v1/security/login", json={
        "username": "ops", "password": PASSWORD, "provider": "db"}, timeout=30)
    assert resp.status_code == 200, resp.text
    session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
    return session


def shop_ids(hub: Hub) -> dict:
    from addons.contacts.models import Company
    from addons.sales.models import Currency, Product

    with hub.app.app_context():
        ids = {"companies": db.session.scalars(select(Company.id).order_by(Company.id)).all(),
               "cny": db.session.scalars(select(Currency.id).filter_by(code="CNY")).one(),
               "products": dict(db.session.execute(select(Product.code, Product.id)).all())}
        db.session.remove()
    return ids


def confirm_through(base_urls: list[str], count: int, ids: dict) -> dict[str, dict]:
    """`count` quotations created and confirmed over REST, spread over the web
    processes, four at a time; {number: expected lines + untaxed total}."""
    clients = [api(url) for url in base_urls]

    def one(n: int) -> tuple[str, dict]:
        base, client = base_urls[n % len(base_urls)], clients[n % len(clients)]
        lines = order_lines(n)
        created = client.post(base + "/api/v1/salesorder/", timeout=60, json={
            "company_id": ids["companies"][n % len(ids["companies"])],
            "currency_id": ids["cny"],
            "lines": [{"product_id": ids["products"][code], "quantity": str(qty)}
                      for code, qty in lines.items()]})
        assert created.status_code == 201, created.text
        confirmed = client.post(f"{base}/api/v1/salesorder/{created.json()['id']}/confirm",
                                timeout=60)
        assert confirmed.status_code == 200, confirmed.text
        order = confirmed.json()["result"]
        assert order["state"] == "confirmed"
        return order["number"], {"lines": lines, "untaxed": Decimal(order["amount_untaxed"])}

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, range(count)))


def claims_of(hub: Hub, pid: int) -> list[int]:
    """Jobs a process holds (running, its claim names it)."""
    from connectors.hub.models import RUNNING, SyncJob

    with hub.app.app_context():
        ids = db.session.scalars(select(SyncJob.id).where(
            SyncJob.state == RUNNING, SyncJob.lease_holder.like(f"%:{pid}:%"))).all()
        db.session.remove()
    return ids


def lease_holder_pid(hub: Hub) -> int | None:
    from connectors.hub.models import SchedulerLease
    from connectors.hub.scheduler import LEASE_NAME

    with hub.app.app_context():
        row = db.session.get(SchedulerLease, LEASE_NAME)
        db.session.remove()
    return int(row.holder.split("/")[0].rsplit(":", 2)[1]) if row else None


def control(hub: Hub, web, command: str) -> str:
    """`gunicornc -c command` on the web process's control socket, as its log names it."""
    [path] = re.findall(r"Control socket listening at (\S+)",
                        hub.process_logs[web.pid].read_text())
    out = subprocess.run([str(Path(GUNICORN).with_name("gunicornc")), "-s", path, "-c", command],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def kill_when_busy(hub: Hub, victim, timeout: float = 120) -> list[int]:
    """SIGKILL `victim` (a worker) once it holds jobs; the jobs it held."""
    wait_until(lambda: claims_of(hub, victim.pid), timeout,
               lambda: ("the worker never held a job", hub.job_states(), hub.log_tail()),
               step=0.05)
    hub.kill_worker(victim)
    return claims_of(hub, victim.pid)


def test_two_web_two_workers_two_schedulers_on_redis(redis, fresh_tryton, make_hub):
    hub = make_hub(redis)
    setup_shop(hub.app, fresh_tryton.url, fresh_tryton, customers=10)
    ids = shop_ids(hub)
    (web_a, url_a), (web_b, url_b) = hub.start_web(), hub.start_web()
    workers = [hub.start_worker(), hub.start_worker()]
    schedulers = [hub.start_scheduler(), hub.start_scheduler()]
    hub.wait_serving(web_a, url_a)
    hub.wait_serving(web_b, url_b)
    for web, url in ((web_a, url_a), (web_b, url_b)):  # gunicornc reaches each one
        listeners = control(hub, web, "show listeners")
        assert f":{url.rsplit(':', 1)[1]}" in listeners, listeners

    # an addon installed through A's Modules screen answers on B within 5 s
    browser = requests.Session()
    token = csrf_token(browser.get(url_a + "/login/").text)
    browser.post(url_a + "/login/", data={"username": "ops", "password": PASSWORD,
                                          "csrf_token": token})
    api_b = api(url_b)
    assert api_b.get(url_b + "/api/v1/note/").status_code == 404
    token = csrf_token(browser.get(url_a + "/modules/").text)
    done = browser.post(url_a + "/modules/install/example_notes", data={"csrf_token": token})
    assert done.status_code == 200 and "Installed: example_notes" in done.text, done.text
    wait_until(lambda: api_b.get(url_b + "/api/v1/note/").status_code == 200,
               PROPAGATION_SECONDS, "the install through A is not seen by B", step=0.1)

    # the elected scheduler dies; the standby takes the lease
    pids = {p.pid for p in schedulers}
    wait_until(lambda: lease_holder_pid(hub) in pids, 90,
               lambda: ("no scheduler elected", hub.log_tail()))
    [leader] = [p for p in schedulers if p.pid == lease_holder_pid(hub)]
    [standby] = [p for p in schedulers if p is not leader]
    leader.send_signal(signal.SIGKILL)
    leader.wait()
    wait_until(lambda: lease_holder_pid(hub) == standby.pid, TAKEOVER_SECONDS,
               lambda: ("the standby did not take over", hub.log_tail()), step=0.1)

    # 60 orders through A and B; a worker killed while it holds jobs, not replaced:
    # only the standby's sweep can give its jobs back
    with ThreadPoolExecutor(1) as background:
        orders = background.submit(confirm_through, [url_a, url_b], 60, ids)
        orphans = kill_when_busy(hub, workers[0])
        expected = orders.result()
    wait_until(lambda: hub.all_finished(60), 180, lambda: (hub.job_states(), hub.log_tail()))
    assert hub.job_states() == {"done": 60}
    assert_exactly_once(fresh_tryton, expected)
    assert orphans, "the worker's jobs all ended between the look and the kill"
    standby_log = hub.process_logs[standby.pid].read_text()
    assert all(f"job #{job_id} " in standby_log for job_id in orphans), standby_log[-3000:]
    assert workers[1].poll() is None and standby.poll() is None


def test_orders_through_rabbitmq_with_the_worker_killed_and_restarted(
        rabbitmq, fresh_tryton, make_hub):
    hub = make_hub(rabbitmq)
    setup_shop(hub.app, fresh_tryton.url, fresh_tryton, customers=10)
    ids = shop_ids(hub)
    web, url = hub.start_web()
    worker = hub.start_worker()
    hub.start_scheduler()
    hub.wait_serving(web, url)

    with ThreadPoolExecutor(1) as background:
        orders = background.submit(confirm_through, [url], 30, ids)
        kill_when_busy(hub, worker)
        hub.start_worker()
        expected = orders.result()
    wait_until(lambda: hub.all_finished(30), 180, lambda: (hub.job_states(), hub.log_tail()))
    assert hub.job_states() == {"done": 30}
    assert_exactly_once(fresh_tryton, expected)
