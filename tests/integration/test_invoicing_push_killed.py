"""Issue 14: `crossdock run` killed with SIGKILL while it pushes issued
invoices to Odoo (the double, over HTTP) never makes a second remote invoice
nor leaves one of ours unbound.

The double holds its answer to one call until the test has killed the caller,
so each kill lands where a duplicate would come from: after Odoo did the
write and before our binding is committed. Once after `account.move` create
(Odoo keeps a draft we never learnt the id of), once after `action_post`
(posted there, unbound here). Each restart takes the dead process's claim
back at once; at the end each of our invoices is exactly one posted
account.move with our number as reference and our totals to the cent.
SQLite only, as for orders (test_hub_run_syncs_to_tryton.py): what is proved
is the processes and the wiring; the hub's database paths run on both.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.doubles.fixtures import CATALOG
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.odoo_double import OdooDouble
from tests.helpers import CROSSDOCK
from tests.live_server import EXAMPLE_ADDONS

pytestmark = pytest.mark.addons("invoicing_link")


class HeldAnswers:
    """The Odoo double, except that the answer to the next `arm(method)`ed
    call on account.move waits, once Odoo has done it, until `release()`."""

    def __init__(self, double: OdooDouble):
        self.double = double
        self._lock = threading.Lock()
        self._method: str | None = None
        self.held = threading.Event()
        self._released = threading.Event()
        self.held_ref = ""

    def arm(self, method: str) -> None:
        self.held.clear()
        self._released.clear()
        self._method = method

    def release(self) -> None:
        self._released.set()

    def handle(self, request):
        answer = self.double.handle(request)
        with self._lock:
            hold = self._method is not None and request.path == (
                f"/json/2/account.move/{self._method}")
            if hold:
                self._method = None
        if hold:
            ids = answer[1] if request.path.endswith("/create") else request.body["ids"]
            self.held_ref = self.double.records["account.move"][ids[0]]["ref"]
            self.held.set()
            self._released.wait(30)  # the caller is dead by then: the answer is lost
        return answer


def _moves(double: OdooDouble, ref: str | None = None) -> list[dict]:
    """The double's account.move rows (with this reference), as Odoo holds them."""
    with double._lock:
        return [dict(m) for m in double.records["account.move"].values()
                if ref is None or m["ref"] == ref]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out: {what()}"
        time.sleep(0.1)


def _shop(app, url: str, customers: int) -> dict[int, str]:
    """One confirmed order per customer, invoiced and issued here; an Odoo
    backend taking our invoices. Returns {invoice id: number}."""
    from addons.contacts.models import Company
    from addons.invoicing_link.services.invoices import draft_from_order
    from addons.invoicing_link.services.invoices.issue_invoice import issue
    from addons.sales.models import Currency, Product, SalesOrder, Tax
    from addons.sales.services.orders import order_states
    from addons.sales.services.orders.order_lines import new_line
    from connectors.hub.backends import save_backend

    with app.app_context():
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        products = [Product(code=code, name=code, list_price=CATALOG[code], currency=cny,
                            tax=vat13, active=True) for code in ("CD-CHAIR", "CD-LAMP")]
        db.session.add_all(products)
        save_backend(db.session, None, name="odoo", kind="odoo", url=url, database="odoo",
                     username="admin", secret="odoo-test-key",
                     options_json='{"invoicing": "crossdock"}')
        numbers = {}
        for n in range(customers):
            order = SalesOrder(company=Company(name=f"客户 Customer {n}"), currency=cny)
            db.session.add(order)
            new_line(db.session, order, products[0], Decimal(1 + n))
            new_line(db.session, order, products[1], Decimal(3))
            db.session.flush()
            order_states.confirm(db.session, order)
            invoice = draft_from_order.invoice_order(db.session, order)
            db.session.flush()
            numbers[invoice.id] = issue(db.session, invoice)
        db.session.commit()
        db.session.remove()
    return numbers


def _ours(app) -> dict[str, dict]:
    """Our issued invoices by number: totals and the binding to Odoo."""
    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.models.invoice import ERP_MODEL
    from connectors import hub

    with app.app_context():
        invoices = db.session.scalars(select(Invoice).where(Invoice.state == "issued")).all()
        bound = {b.record_id: b for b in hub.bindings_for(db.session, ERP_MODEL,
                                                          [i.id for i in invoices])}
        found = {i.number: {"totals": (i.amount_untaxed, i.amount_tax, i.amount_total),
                            "bound": (bound[i.id].external_id, bound[i.id].external_number)
                            if i.id in bound else None} for i in invoices}
        db.session.remove()
    return found


def _jobs(app) -> list[tuple]:
    """Every hub job: (kind, state, last error)."""
    from connectors.hub.models import SyncJob

    with app.app_context():
        rows = db.session.execute(select(SyncJob.kind, SyncJob.state, SyncJob.last_error)
                                  .order_by(SyncJob.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_crossdock_run_killed_between_odoo_write_and_binding_pushes_each_invoice_once(
        make_app, tmp_path, database_url):
    started = time.monotonic()
    double = OdooDouble(CATALOG, currency="CNY")
    held = HeldAnswers(double)
    odoo = JsonHttpServer(held).start()
    app = make_app()
    numbers = _shop(app, odoo.url, customers=3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_DATABASE_URL=database_url, CROSSDOCK_INSTANCE_PATH=str(tmp_path / "i"),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS), PYTHONUNBUFFERED="1",
               CROSSDOCK_SECRET_KEY=app.extensions["crossdock"].settings.secret_key,
               CROSSDOCK_HUB_SWEEP_SECONDS="1", CROSSDOCK_HUB_BACKOFF_BASE_SECONDS="0.5",
               CROSSDOCK_HUB_RECOVERY_GRACE_SECONDS="1")  # the double answers synchronously
    runs: list[tuple[subprocess.Popen, object]] = []

    def start():
        log = tmp_path / f"run{len(runs) + 1}.log"
        with open(log, "wb") as out:
            runs.append((subprocess.Popen([CROSSDOCK, "run", "--port", str(_free_port())],
                                          env=env, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL), log))
        return runs[-1]

    def logs():
        return "\n".join(log.read_text()[-2000:] for _, log in runs)

    try:
        killed_holding, left = [], []
        for method in ("create", "action_post"):  # Odoo wrote, our binding did not
            held.arm(method)
            run, _ = start()
            _wait(held.held.is_set, 60,
                  lambda: f"no account.move {method}: {_jobs(app)}\n{logs()}")
            run.send_signal(signal.SIGKILL)
            assert run.wait(10) == -signal.SIGKILL
            killed_holding.append((held.held_ref, run.pid))
            held.release()
            left.append(_moves(double, held.held_ref))
        # what each kill left in Odoo: a draft, then a posted invoice, neither bound here
        assert [[m["state"] for m in moves] for moves in left] == [["draft"], ["posted"]]
        start()
        _wait(lambda: {state for _, state, _ in _jobs(app)} == {"done"}, 60,
              lambda: f"{_jobs(app)}\n{logs()}")
    finally:
        for run, _ in runs:
            if run.poll() is None:
                run.terminate()
                run.wait(20)
        odoo.stop()

    moves = _moves(double)
    assert sorted(m["ref"] for m in moves) == sorted(numbers.values())  # one each, no stray
    ours = _ours(app)
    for move in moves:
        assert (move["move_type"], move["state"]) == ("out_invoice", "posted"), move
        assert (move["amount_untaxed"], move["amount_tax"], move["amount_total"]) == (
            ours[move["ref"]]["totals"]), move["ref"]
        assert ours[move["ref"]]["bound"] == (str(move["id"]), move["name"])  # none unbound
    recovered = {(ref, int(pid)) for ref, pid in re.findall(
        r"hub: recovered job #\d+ invoicing\.invoice\.push \S+ \((\S+)\): its worker "
        r"process [^:]+:(\d+):", "\n".join(log.read_text() for _, log in runs[1:]))}
    assert set(killed_holding) <= recovered, logs()  # taken back at once, not after the lease
    print(f"\ntwo kills of crossdock run while pushing {len(numbers)} invoices: "
          f"{time.monotonic() - started:.1f}s")
