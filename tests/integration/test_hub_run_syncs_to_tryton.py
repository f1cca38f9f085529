"""Issue 5's "Done when": `crossdock run` alone syncs the confirmed demo orders
to a configured Tryton, and a finance user sees where each order is there, or
why not.

A process-level journey through the real commands only, as an operator types
them: install sales, register the Tryton backend and test it, load the demo
(which confirms orders and so writes their jobs), then start `crossdock run`
with nothing else running (embedded broker) and read the result back through
Tryton's own RPC and our screens. SQLite only: what is proved here is the
processes and the wiring; the hub's database paths run on SQLite and
PostgreSQL in test_hub_order_sync.py. The Tryton server is the test's own
(`fresh_tryton`): a fresh database numbers its orders SO2026-00001... like
other tests' orders in the shared `tryton`.
"""
from __future__ import annotations

import html
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import requests

from tests.helpers import CROSSDOCK, csrf_token

BACKEND = "tryton-shop"
FINANCE, FINANCE_PASSWORD = "fin.chen", "fin-pw-12345678"
SYNC_TIMEOUT = 120.0
UNKNOWN_CODE = "CD-NOT-IN-TRYTON"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Instance:
    """A fresh Crossdock instance (SQLite file) driven by its `crossdock` command."""

    def __init__(self, tmp_path: Path):
        self.db_file = tmp_path / "crossdock.db"
        self.env = {**os.environ, "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
                    "CROSSDOCK_DATABASE_URL": f"sqlite:///{self.db_file}"}
        self.env.pop("CROSSDOCK_BROKER_URL", None)  # the embedded default

    def cli(self, *args: str) -> str:
        out = subprocess.run([CROSSDOCK, *args], env=self.env, capture_output=True, text=True,
                             timeout=180)
        assert out.returncode == 0, (args, out.stdout, out.stderr[-3000:])
        return out.stdout

    def sql(self, query: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db_file) as conn:
            return conn.execute(query, params).fetchall()

    def confirmed_orders(self) -> dict[str, dict]:
        """Our side of each confirmed order: number -> customer, amounts, lines."""
        orders = {}
        for order_id, number, company_id, person_id, untaxed, tax, total in self.sql(
                "SELECT id, number, company_id, person_id, amount_untaxed, amount_tax, "
                "amount_total FROM sales_order WHERE state = 'confirmed' ORDER BY id"):
            lines = self.sql("SELECT p.code, l.quantity, t.name, l.amount_untaxed "
                             "FROM sales_order_line l JOIN sales_product p ON p.id = l.product_id "
                             "LEFT JOIN sales_tax t ON t.id = l.tax_id WHERE l.order_id = ?",
                             order_id)
            orders[number] = {
                "id": order_id,
                "customer": f"CD-COMPANY-{company_id}" if company_id else f"CD-PERSON-{person_id}",
                "amounts": tuple(Decimal(str(v)).quantize(Decimal("0.01"))
                                 for v in (untaxed, tax, total)),
                "lines": sorted((code, Decimal(str(qty)), (tax_name,) if tax_name else (),
                                 Decimal(str(amount)).quantize(Decimal("0.01")))
                                for code, qty, tax_name, amount in lines)}
        return orders


def _erp_panel(page: str) -> str:
    """The words in the order page's ERP panel (#order-erp)."""
    match = re.search(r'id="order-erp".*?</ul>', page, re.S)
    assert match, "the order page has no ERP panel"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def _login(base: str, username: str, password: str) -> requests.Session:
    web = requests.Session()
    token = csrf_token(web.get(f"{base}/login/", timeout=10).text)
    web.post(f"{base}/login/", data={"username": username, "password": password,
                                     "csrf_token": token}, timeout=10)
    assert "logout" in web.get(f"{base}/", timeout=10).text.lower(), f"{username} not logged in"
    return web


def test_crossdock_run_alone_syncs_the_demo_orders_to_tryton(tmp_path, fresh_tryton):
    tryton = fresh_tryton  # its own: the shared one holds other tests' SO2026-... orders
    app = Instance(tmp_path)

    def tryton_user(action: str, reference: str) -> str:
        """What the README has a Tryton user do, as a command (tests/erp/tryton_user.py)."""
        out = subprocess.run(
            [sys.executable, "-m", "tests.erp.tryton_user", "--url", tryton.url,
             "--database", tryton.database, "--username", tryton.username,
             "--password", tryton.password, action, reference],
            capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout
    app.cli("addons", "install", "sales")
    app.cli("hub", "backend-add", "--name", BACKEND, "--kind", "tryton", "--url", tryton.url,
            "--database", tryton.database, "--username", tryton.username,
            "--secret", tryton.password)
    assert app.cli("hub", "backend-test", BACKEND).startswith(
        f"connected: Tryton 8.2 database {tryton.database}")
    app.cli("user", "create", "--username", FINANCE, "--email", "fin.chen@example.cn",
            "--role", "Finance", "--password", FINANCE_PASSWORD)
    demo = app.cli("sales", "demo")
    confirmed = int(re.search(r"orders confirmed: (\d+)", demo).group(1))
    ours = app.confirmed_orders()
    assert len(ours) == confirmed >= 3
    assert len({o["customer"] for o in ours.values()}) < len(ours), \
        "the demo should have a customer with two orders (one party for both)"

    # the demo's command ran no job: nothing is in Tryton before `crossdock run`
    assert not tryton.search_read("sale.sale", [("reference", "in", sorted(ours))], ["id"])
    waiting = app.cli("hub", "jobs")
    assert {int(m) for m in re.findall(r"sales\.order:(\d+)", waiting)} == {
        o["id"] for o in ours.values()}
    assert "attempts=0" in waiting and "attempts=1" not in waiting

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "run.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([CROSSDOCK, "run", "--port", str(port)], env=app.env,
                                  stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        # -- every confirmed demo order ends up in Tryton, as ours -------------------
        def in_tryton():
            assert server.poll() is None, log_path.read_text()[-3000:]
            sales = tryton.search_read(
                "sale.sale", [("reference", "in", sorted(ours))],
                ["reference", "number", "state", "untaxed_amount", "tax_amount",
                 "total_amount", "party.code", "lines"])
            done = [s for s in sales if s["state"] in ("confirmed", "processing")]
            return sales if len(done) == len(ours) else None

        sales = _wait(in_tryton, SYNC_TIMEOUT, f"{len(ours)} confirmed demo orders in Tryton")
        print(f"\n{len(ours)} demo orders in Tryton {time.monotonic() - started:.1f}s "
              "after `crossdock run` started")
        assert sorted(s["reference"] for s in sales) == sorted(ours)  # one sale per order
        # every demo order: the same customer, lines, taxes and amounts to the cent
        matched = 0
        for sale in sales:
            order = ours[sale["reference"]]
            assert sale["party."]["code"] == order["customer"], sale
            assert (sale["untaxed_amount"], sale["tax_amount"], sale["total_amount"]) == (
                order["amounts"]), (sale, order)
            lines = tryton.search_read("sale.line", [("sale", "=", sale["id"])],
                                       ["product.code", "quantity", "taxes.name", "amount"])
            assert sorted((l["product."]["code"], Decimal(str(l["quantity"])),
                           tuple(t["name"] for t in l["taxes."]), l["amount"])
                          for l in lines) == order["lines"], sale["reference"]
            matched += 1
        print(f"{matched} of {len(ours)} demo orders have Tryton's untaxed, tax and total "
              f"amounts equal to ours to the cent (tax total "
              f"{sum(o['amounts'][1] for o in ours.values())} CNY)")
        assert matched == len(ours) and all(o["amounts"][1] > 0 for o in ours.values())
        customers = {o["customer"] for o in ours.values()}
        parties = tryton.search_read("party.party", [("code", "in", sorted(customers))],
                                     ["code"])
        assert sorted(p["code"] for p in parties) == sorted(customers)  # each created once

        # -- our side: jobs done, the Tryton number on the order page and the list --------
        ids = {o["id"]: number for number, o in ours.items()}
        numbers = {s["reference"]: s["number"] for s in sales}

        # Tryton's create comes before our commit of the outcome: wait for that
        _wait(lambda: app.sql("SELECT count(*) FROM hub_job WHERE state = 'done'")[0][0]
              == len(ids), 30, "every demo order's job done")
        listed = app.cli("hub", "jobs", "--state", "done")
        assert {int(m) for m in re.findall(r"sales\.order:(\d+)", listed)} == set(ids)
        for number in ours:
            assert f"{number} is {numbers[number]} (confirmed)" in listed, listed
        # the same check as finance runs it: every demo order read back and compared
        checked = app.cli("sales", "erp-check")
        assert f"{BACKEND}: {len(ours)} orders checked, {len(ours)} match to the cent, " \
               "0 differ" in checked, checked
        admin_password = re.search(r"Admin login: admin / (\S+)", log_path.read_text()).group(1)

        finance = _login(base, FINANCE, FINANCE_PASSWORD)
        for order_id, number in ids.items():
            page = finance.get(f"{base}/orderview/show/{order_id}", timeout=10)
            assert page.status_code == 200, number
            assert f"{BACKEND}: {numbers[number]}" in _erp_panel(page.text), number
        listing = finance.get(f"{base}/orderview/list/?psize_OrderView=100", timeout=10).text
        rows = {number: row for row in listing.split("<tr")[1:] for number in ours
                if number in row}
        for number in ours:
            assert re.search(rf"{BACKEND}: {numbers[number]}\b", rows[number]), number

        # -- issue 14: Tryton invoices a demo order, it is paid, the balance falls to 0 ---
        app.cli("addons", "install", "invoicing_link")
        number = next(n for n, o in ours.items() if o["customer"].startswith("CD-COMPANY-"))
        company = "#" + ours[number]["customer"].rsplit("-", 1)[1]
        invoiced = tryton_user("invoice-sale", number)
        tryton_number = re.search(r"invoiced in Tryton as (\S+) \(posted\)", invoiced).group(1)
        pulled = app.cli("invoicing_link", "pull")  # (`crossdock run`'s scheduler may be first)
        assert re.search(rf"{BACKEND}: \d+ invoices added or changed", pulled), pulled
        owed = app.cli("invoicing_link", "balance", company)
        assert f": {ours[number]['amounts'][2]:.2f} CNY outstanding" in owed, owed
        assert "paid in Tryton" in tryton_user("pay-sale", number)
        app.cli("invoicing_link", "pull")
        owed = app.cli("invoicing_link", "balance", company)
        assert ": 0.00 CNY outstanding" in owed, owed
        listing = finance.get(f"{base}/invoiceview/list/", timeout=10).text
        assert tryton_number in listing  # Finance sees Tryton's invoice among ours

        # -- an order Tryton cannot take: failed, and the finance user reads why ----------
        api = requests.Session()
        api.headers["Authorization"] = "Bearer " + api.post(
            f"{base}/api/v1/security/login", timeout=10,
            json={"username": "admin", "password": admin_password, "provider": "db"},
        ).json()["access_token"]
        cny, tax, company = app.sql(
            "SELECT c.id, t.id, (SELECT company_id FROM sales_order WHERE company_id IS NOT NULL "
            "LIMIT 1) FROM sales_currency c, sales_tax t WHERE c.code = 'CNY' AND t.active "
            "ORDER BY t.id LIMIT 1")[0]
        product = api.post(f"{base}/api/v1/product/", timeout=10, json={
            "code": UNKNOWN_CODE, "name": "仓库机器人 Warehouse robot", "unit": "台",
            "list_price": "88000.00", "currency": cny, "tax": tax, "active": True})
        assert product.status_code == 201, product.text
        quotation = api.post(f"{base}/api/v1/salesorder/", timeout=10, json={
            "company_id": company, "currency_id": cny,
            "lines": [{"product_id": product.json()["id"], "quantity": "1"}]})
        assert quotation.status_code == 201, quotation.text
        order_id = quotation.json()["id"]
        confirm = api.post(f"{base}/api/v1/salesorder/{order_id}/confirm", timeout=10)
        assert confirm.status_code == 200, confirm.text

        def failed_reason():
            panel = _erp_panel(finance.get(f"{base}/orderview/show/{order_id}", timeout=10).text)
            return panel if "sync failed" in panel else None

        reason = _wait(failed_reason, 30, "the failed order's reason on its page")
        assert f"{BACKEND}: sync failed" in reason and UNKNOWN_CODE in reason, reason
        assert "unknown product code" in reason, reason
        assert f"sales.order:{order_id}" in app.cli("hub", "jobs", "--state", "failed")
        number = app.sql("SELECT number FROM sales_order WHERE id = ?", order_id)[0][0]
        assert not tryton.search_read("sale.sale", [("reference", "=", number)], ["id"])
    finally:
        server.terminate()
        server.wait(20)


def test_a_killed_crossdock_run_resumes_within_seconds_and_says_so(tmp_path, fresh_tryton):
    """Issue 12: through a Tryton outage and a `kill -9` the hub held but the
    log was silent, and the restarted process waited for the 120 s lease.
    Tryton refuses connections (retries, one log line each), then a job hangs
    in its call and `crossdock run` is killed with SIGKILL; the restarted
    process takes back its dead predecessor's claim and scheduler lease at
    once: every demo order is in Tryton exactly once within seconds, the log
    names each retry, re-send and recovery, and /metrics counts them."""
    from tests.doubles.fault_proxy import FaultProxy

    proxy = FaultProxy("127.0.0.1", fresh_tryton.port).start()
    app = Instance(tmp_path)
    app.env.update(CROSSDOCK_HUB_BACKOFF_BASE_SECONDS="0.5",
                   CROSSDOCK_HUB_BACKOFF_CEILING_SECONDS="2",
                   CROSSDOCK_METRICS_TOKEN="metrics-token")  # the lease stays 120 s
    runs: list[subprocess.Popen] = []
    try:
        app.cli("addons", "install", "sales")
        app.cli("hub", "backend-add", "--name", BACKEND, "--kind", "tryton", "--url", proxy.url,
                "--database", fresh_tryton.database, "--username", fresh_tryton.username,
                "--secret", fresh_tryton.password)
        app.cli("sales", "demo")
        ours = app.confirmed_orders()
        proxy.set_mode("refuse")

        def start(name):
            port = _free_port()
            log = open(tmp_path / name, "w")
            runs.append(subprocess.Popen([CROSSDOCK, "run", "--port", str(port)], env=app.env,
                                         stdout=log, stderr=subprocess.STDOUT))
            return runs[-1], tmp_path / name, port

        first, first_log, _ = start("run1.log")
        _wait(lambda: first_log.read_text().count("hub: retry job #") >= 3, 60,
              "retries logged while Tryton refuses connections")
        proxy.set_mode("slow", delay=600)  # the next attempt hangs in its first call
        _wait(lambda: app.sql("SELECT count(*) FROM hub_job WHERE state = 'running' AND "
                              "lease_holder LIKE ?", f"%:{first.pid}:%")[0][0] >= 1, 60,
              "a job claimed by the first process")
        claimed = {row[0] for row in app.sql(
            "SELECT id FROM hub_job WHERE state = 'running'")}
        first.send_signal(signal.SIGKILL)
        first.wait()
        proxy.set_mode("pass")  # the held request dies with its connection

        restarted_at = time.monotonic()
        second, second_log, port = start("run2.log")

        def all_in_tryton():
            sales = fresh_tryton.search_read("sale.sale", [("reference", "in", sorted(ours))],
                                             ["reference", "untaxed_amount", "tax_amount",
                                              "total_amount"])
            done = app.sql("SELECT count(*) FROM hub_job WHERE state = 'done'")[0][0]
            return sales if done == len(ours) else None

        sales = _wait(all_in_tryton, 60, "every demo order synced after the restart")
        resumed = time.monotonic() - restarted_at
        print(f"\nrestart to all {len(ours)} demo orders in Tryton: {resumed:.1f}s "
              "(job lease 120 s)")
        assert resumed < 45, resumed  # not the 120 s lease
        assert sorted(s["reference"] for s in sales) == sorted(ours)  # each exactly once
        for sale in sales:
            assert (sale["untaxed_amount"], sale["tax_amount"], sale["total_amount"]) == (
                ours[sale["reference"]]["amounts"])

        log = second_log.read_text()
        recovered = [line for line in log.splitlines() if "hub: recovered job #" in line]
        assert {int(re.search(r"job #(\d+)", line).group(1)) for line in recovered} == claimed
        assert all(f":{first.pid}:" in line and "is gone" in line and "sales.order:" in line
                   for line in recovered), recovered
        assert "took over from" in log  # the dead process's scheduler lease, not awaited
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10,
                               headers={"Authorization": "Bearer metrics-token"}).text
        counts = {event: float(value) for event, value in re.findall(
            rf'crossdock_hub_events_total{{backend="{BACKEND}",event="(\w+)"}} (\S+)', metrics)}
        retries = first_log.read_text().count("hub: retry job #") + log.count("hub: retry job #")
        assert counts["retry"] == retries and counts["recovered"] == len(claimed), counts
    finally:
        for run in runs:
            if run.poll() is None:
                run.terminate()
                run.wait(20)
        proxy.stop()
