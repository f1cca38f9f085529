"""Issue 14: issued invoices pushed to Odoo (the double, over HTTP) when Odoo
refuses or is away, read where finance reads them: the invoice's page.

- Odoo refuses to post (the period is locked): the push stops as failed and
  the invoice's page says so in Odoo's words; once the period is open again
  a retry posts the draft Odoo kept, no second invoice.
- Odoo answers 503 for a while: each invoice's page says which attempt
  failed and why; once Odoo is back every invoice is there exactly once.
Jobs run on the hub's worker threads in this process; the killed-process
cases are test_invoicing_push_killed.py.
"""
from __future__ import annotations

import html
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.doubles.fault_proxy import FaultProxy
from tests.doubles.fixtures import CATALOG
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.odoo_double import OdooDouble
from tests.helpers import add_user, login

pytestmark = pytest.mark.addons("invoicing_link")
YEAR = date.today().year


@pytest.fixture
def odoo():
    """A fresh Odoo double per test: our numbers start at INV/<year>/00001 in each."""
    server = JsonHttpServer(OdooDouble(CATALOG, currency="CNY")).start()
    yield server
    server.stop()


@pytest.fixture
def shop(make_app):
    app = make_app(hub_lease_seconds=5, hub_backoff_base_seconds=0.2,
                   hub_backoff_ceiling_seconds=0.5, hub_resend_after_seconds=1)
    add_user(app, "fin", ["Finance"])
    with app.app_context():
        from addons.sales.models import Currency, Product, Tax

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        db.session.add_all(Product(code=code, name=code, list_price=CATALOG[code],
                                   currency=cny, tax=vat13, active=True)
                           for code in ("CD-CHAIR", "CD-LAMP"))
        db.session.commit()
    yield app
    app.extensions["hub"].stop()


def _backend(app, url):
    with app.app_context():
        from connectors.hub.backends import save_backend

        save_backend(db.session, None, name="odoo", kind="odoo", url=url, database="odoo",
                     username="admin", secret="odoo-test-key",
                     options_json='{"invoicing": "crossdock"}')
        db.session.commit()


def _orders(app, customers: int) -> list[int]:
    """A confirmed order per customer (2 chairs, 3 lamps)."""
    from addons.contacts.models import Company
    from addons.sales.models import Product, SalesOrder
    from addons.sales.services.orders import order_states
    from addons.sales.services.orders.order_lines import new_line

    with app.app_context():
        products = db.session.scalars(select(Product).order_by(Product.code)).all()
        ids = []
        for n in range(customers):
            order = SalesOrder(company=Company(name=f"客户 Customer {n}"),
                               currency=products[0].currency)
            db.session.add(order)
            new_line(db.session, order, products[0], Decimal(2))
            new_line(db.session, order, products[1], Decimal(3))
            db.session.flush()
            order_states.confirm(db.session, order)
            ids.append(order.id)
        db.session.commit()
    return ids


def _issue(app, order_ids) -> dict[int, str]:
    """Invoice each order whole and issue it: {invoice id: number}."""
    from addons.invoicing_link.services.invoices import draft_from_order
    from addons.invoicing_link.services.invoices.issue_invoice import issue
    from addons.sales.models import SalesOrder

    with app.app_context():
        numbers = {}
        for order_id in order_ids:
            invoice = draft_from_order.invoice_order(db.session,
                                                     db.session.get(SalesOrder, order_id))
            db.session.flush()
            numbers[invoice.id] = issue(db.session, invoice)
        db.session.commit()
    return numbers


def _jobs(app, kind="invoicing.invoice.push") -> list:
    from connectors.hub.models import SyncJob

    with app.app_context():
        jobs = db.session.scalars(select(SyncJob).where(SyncJob.kind == kind)
                                  .order_by(SyncJob.id)).all()
        db.session.expunge_all()
    return jobs


def _wait(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out: {what()}"
        time.sleep(0.05)


def _finished(app, kind) -> bool:
    jobs = _jobs(app, kind)
    return bool(jobs) and all(j.state in ("done", "failed") for j in jobs)


def _sync_panel(client, invoice_id) -> list[str]:
    """The lines of the invoice page's "Finance systems" panel, as Finance reads them."""
    page = client.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    return [" ".join(html.unescape(text).split()) for text in re.findall(
        r'<span class="invoice-sync[^"]*">(.*?)</span>', page, re.S)]


def _moves(odoo, ref) -> list[dict]:
    with odoo.app._lock:
        return [dict(m) for m in odoo.app.records["account.move"].values() if m["ref"] == ref]


def test_odoo_refusing_to_post_shows_its_words_on_the_invoice(shop, odoo):
    _backend(shop, odoo.url)
    orders = _orders(shop, 1)
    hub = shop.extensions["hub"]
    hub.start_worker(2)
    _wait(lambda: _finished(shop, "sales.order.push"), lambda: _jobs(shop, "sales.order.push"))
    odoo.app.lock_date = date.today()  # Odoo: the period is closed
    [(invoice_id, number)] = _issue(shop, orders).items()
    _wait(lambda: _finished(shop, "invoicing.invoice.push"), lambda: _jobs(shop))
    [job] = _jobs(shop)
    assert (job.state, job.attempts) == ("failed", 1)  # refused: not retried on its own
    finance = shop.test_client()
    login(finance, "fin")
    lock = date.today().strftime("%m/%d/%Y")
    [line] = _sync_panel(finance, invoice_id)
    assert line.startswith("odoo: sync failed: ") and (
        f"You cannot add/modify entries prior to and inclusive of the lock date {lock}."
        in line), line
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert re.search(rf'<a href="[^"]*/{job.id}" class="small">job #{job.id}</a>', page)
    [draft] = _moves(odoo, number)  # Odoo kept the draft it would not post
    assert draft["state"] == "draft"

    odoo.app.lock_date = None  # the accountant reopens the period; the job is retried
    with shop.app_context():
        from connectors.hub import operations

        operations.retry(db.session, hub, job.id)
        db.session.commit()
    _wait(lambda: _jobs(shop)[0].state == "done", lambda: _jobs(shop))
    [move] = _moves(odoo, number)
    assert (move["id"], move["state"]) == (draft["id"], "posted")  # the same, posted
    assert _sync_panel(finance, invoice_id) == [f"odoo: {move['name']} (posted (not_paid))"]


def test_an_odoo_outage_is_said_on_each_invoice_and_drains_once_back(shop, odoo):
    proxy = FaultProxy("127.0.0.1", odoo.port).start()
    try:
        _backend(shop, proxy.url)
        orders = _orders(shop, 3)
        shop.extensions["hub"].start_worker(2)
        _wait(lambda: _finished(shop, "sales.order.push"),
              lambda: _jobs(shop, "sales.order.push"))
        proxy.set_mode("503", retry_after=2)  # Odoo is away
        numbers = _issue(shop, orders)
        _wait(lambda: all(j.attempts >= 2 and j.state == "queued" for j in _jobs(shop)),
              lambda: _jobs(shop))  # each between two attempts (Retry-After: 2 s)
        finance = shop.test_client()
        login(finance, "fin")
        waiting = r"odoo: not sent yet \(attempt \d+ failed: .*503.*\)"
        for invoice_id in numbers:  # between attempts (a loaded machine may catch one running)
            _wait(lambda: re.fullmatch(waiting, _sync_panel(finance, invoice_id)[0]),
                  lambda: _sync_panel(finance, invoice_id))
        assert not any(_moves(odoo, n) for n in numbers.values())
        proxy.set_mode("pass")  # back
        _wait(lambda: all(j.state == "done" for j in _jobs(shop)), lambda: _jobs(shop))
    finally:
        proxy.stop()
    with shop.app_context():
        from addons.invoicing_link.models import Invoice

        totals = {i.id: i.amount_total for i in db.session.scalars(select(Invoice))}
    for invoice_id, number in numbers.items():
        [move] = _moves(odoo, number)  # exactly once each, our total to the cent
        assert (move["state"], move["amount_total"]) == ("posted", Decimal("338.97"))
        assert totals[invoice_id] == move["amount_total"]
        assert _sync_panel(finance, invoice_id) == [f"odoo: {move['name']} (posted (not_paid))"]
