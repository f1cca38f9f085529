"""Invoices out to a finance system and payments back (issue 14), on SQLite,
against the Odoo double (tests/doubles/odoo_double.py, served from this
process over HTTP), the embedded broker's worker threads running the jobs.

1. issue and push: K orders confirmed and synced first (their push jobs
   drained, not timed), then K invoices drafted and issued through the
   services, one commit each (issued per second, p50/p95 of one issue), then
   the workers drain the K invoice push jobs (pushed per second: jobs done /
   drain time). Exactness: the double holds exactly K customer invoices, one
   per number of ours, posted, with our totals.
2. payments back: P issued invoices of ours bound to P posted invoices in
   the double (rows written in bulk: the seed is not what is measured), all
   paid there; one pull round (`hub.pull_now(INVOICE_PAYMENTS)`, the
   scheduler's) until each is paid here. Baseline in the same run: the
   client's `invoice_states` alone over the same ids in the same batches (the
   remote's share of the round).

    .venv/bin/python bench/invoicing_sync.py                        # K = 300, P = 10,000
    .venv/bin/python bench/invoicing_sync.py --invoices 50 --payments 500
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import pct  # noqa: E402

PRODUCTS = {"BENCH-A": Decimal("120.00"), "BENCH-B": Decimal("349.90")}


def _app(instance: Path):
    from core.app import create_app
    from core.config import Settings

    url = f"sqlite:///{instance / 'invoicing.sqlite'}"
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0, hub_embedded_threads=0,
                                       hub_backoff_base_seconds=0.2))  # workers: _drain
    with app.app_context():
        from core.addons import lifecycle
        from core.db import db

        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["invoicing_link"])
    return app


def _seed(app, odoo_url: str, k: int) -> list[int]:
    """Products, a company, the backend (Crossdock invoices) and K confirmed orders."""
    from addons.contacts.models import Company
    from addons.sales.models import Currency, Product, Tax
    from addons.sales.services.orders import order_states
    from addons.sales.services.orders.order_lines import new_line
    from addons.sales.models import SalesOrder
    from connectors.hub.backends import save_backend
    from core.db import db
    from sqlalchemy import select

    with app.app_context():
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        products = [Product(code=c, name=c, list_price=p, currency=cny, tax=vat, active=True)
                    for c, p in PRODUCTS.items()]
        company = Company(name="华东物流 East China Logistics", tax_id="91310000MA1FL0001R")
        db.session.add_all([*products, company])
        save_backend(db.session, None, name="odoo", kind="odoo", url=odoo_url,
                     database="odoo", username="admin", secret="odoo-test-key",
                     options_json='{"invoicing": "crossdock"}')
        db.session.commit()
        ids = []
        for n in range(k):
            order = SalesOrder(company=company, currency=cny)
            db.session.add(order)
            new_line(db.session, order, products[0], Decimal(1 + n % 3))
            new_line(db.session, order, products[1], Decimal(1))
            db.session.flush()
            order_states.confirm(db.session, order)
            db.session.commit()
            ids.append(order.id)
        return ids


def _drain(app, kind: str, expected: int, timeout: float = 600.0) -> float:
    """Run the workers until `expected` jobs of `kind` are done; the seconds it took."""
    from connectors.hub.models import SyncJob
    from core.db import db
    from sqlalchemy import func, select

    started = time.perf_counter()
    app.extensions["hub"].start_worker(2)
    try:
        while time.perf_counter() - started < timeout:
            with app.app_context():
                done = db.session.scalar(select(func.count()).where(
                    SyncJob.kind == kind, SyncJob.state == "done"))
                failed = db.session.scalars(select(SyncJob.last_error).where(
                    SyncJob.kind == kind, SyncJob.state == "failed")).all()
                db.session.remove()
            if failed:
                raise SystemExit(f"{len(failed)} {kind} jobs failed: {failed[0]}")
            if done >= expected:
                return time.perf_counter() - started
            time.sleep(0.05)
    finally:
        app.extensions["hub"].stop()
    raise SystemExit(f"{kind}: only {done} of {expected} done in {timeout:.0f} s")


def issue_and_push(app, odoo, order_ids: list[int]) -> None:
    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
    from addons.sales.models import SalesOrder
    from core.db import db
    from sqlalchemy import select

    _drain(app, "sales.order.push", len(order_ids))
    timings = []
    started = time.perf_counter()
    for order_id in order_ids:
        with app.app_context():  # as a command runs it: the system, a writer
            t0 = time.perf_counter()
            invoice = draft_from_order.invoice_order(db.session, db.session.get(SalesOrder,
                                                                                order_id))
            db.session.flush()
            issue_invoice.issue(db.session, invoice)
            db.session.commit()
            timings.append((time.perf_counter() - t0) * 1000)
            db.session.remove()
    issued_in = time.perf_counter() - started
    pushed_in = _drain(app, "invoicing.invoice.push", len(order_ids))
    with app.app_context():
        ours = {i.number: i.amount_total for i in db.session.scalars(select(Invoice))}
    moves = [m for m in odoo.app.records["account.move"].values()
             if m["move_type"] == "out_invoice"]
    exact = (sorted(m["ref"] for m in moves) == sorted(ours)
             and all(m["state"] == "posted" and m["amount_total"] == ours[m["ref"]]
                     for m in moves))
    k = len(order_ids)
    print(f"issue: {k} invoices in {issued_in:.1f} s, {k / issued_in:.1f} issued/s "
          f"(one issue p50 {statistics.median(timings):.1f} ms, p95 {pct(timings, .95):.1f} ms)")
    print(f"push: {k} invoices into the Odoo double in {pushed_in:.1f} s, "
          f"{k / pushed_in:.1f} pushed/s (2 worker threads)")
    print(f"exact: {len(moves)} invoices in the double for {len(ours)} of ours, one per "
          f"number, posted, our totals: {'yes' if exact else 'NO'}")
    if not exact:
        raise SystemExit("the double does not hold exactly our invoices")


def _seed_paid(app, odoo, p: int) -> list[str]:
    """P issued invoices of ours bound to P posted and paid invoices in the double."""
    from addons.invoicing_link.models import Invoice
    from addons.sales.models import Currency, SalesOrder
    from connectors.hub.models import Backend, Binding
    from core.db import db
    from sqlalchemy import func, insert, select

    double = odoo.app
    partner = next(iter(double.records["res.partner"]))
    external = []
    for n in range(p):
        move_id = double._create_move({"move_type": "out_invoice", "partner_id": partner,
                                       "ref": f"BENCH/{n:06d}", "invoice_line_ids": []})
        double.records["account.move"][move_id].update(
            state="posted", name=f"INV/B/{n:06d}", amount_total=Decimal("113.00"),
            amount_untaxed=Decimal("100.00"), amount_tax=Decimal("13.00"),
            amount_residual=Decimal("113.00"))
        double.register_payment(move_id)
        external.append(str(move_id))
    with app.app_context():
        order = db.session.scalars(select(SalesOrder)).first()
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        backend = db.session.scalars(select(Backend)).one()
        first = (db.session.scalar(select(func.max(Invoice.id))) or 0) + 1
        db.session.execute(insert(Invoice.__table__), [
            {"id": first + n, "kind": "invoice", "origin": "crossdock", "state": "issued",
             "series": "BENCH", "fiscal_year": 2026, "number": f"BENCH/{n:06d}",
             "company_id": order.company_id, "order_id": order.id, "currency_id": cny.id,
             "invoice_date": date.today(), "amount_untaxed": Decimal("100"),
             "amount_tax": Decimal("13"), "amount_total": Decimal("113"),
             "payment_state": "not_paid", "amount_paid": Decimal(0),
             "amount_residual": Decimal("113"), "created_at": datetime.utcnow()}
            for n in range(p)])
        db.session.execute(insert(Binding.__table__), [
            {"backend_id": backend.id, "model": "invoicing.invoice", "record_id": first + n,
             "external_id": external[n], "synced_at": datetime.utcnow()} for n in range(p)])
        db.session.commit()
    return external


def payments_back(app, odoo, p: int) -> None:
    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.services.finance_sync.payments import INVOICE_PAYMENTS
    from connectors import hub
    from connectors.erp import make_client
    from connectors.hub.status_pull import BATCH
    from core.db import db
    from sqlalchemy import func, select

    external = _seed_paid(app, odoo, p)
    client = make_client("odoo", odoo.url, "odoo", "admin", "odoo-test-key", "")
    started = time.perf_counter()
    for i in range(0, len(external), BATCH):
        client.invoice_states(external[i:i + BATCH])
    remote_only = time.perf_counter() - started
    with app.app_context():  # as the scheduler runs it
        started = time.perf_counter()
        changed = hub.pull_now(db.session, INVOICE_PAYMENTS)
        pulled_in = time.perf_counter() - started
        paid = db.session.scalar(select(func.count()).where(
            Invoice.series == "BENCH", Invoice.payment_state == "paid",
            Invoice.amount_residual == 0))
        db.session.remove()
    print(f"payments: {p} paid invoices read back in one pull round in {pulled_in:.1f} s, "
          f"{p / pulled_in:.0f} invoices/s ({changed.get('odoo', 0)} bindings and invoices "
          f"changed; {paid} of {p} "
          f"paid here); the client's reads alone {remote_only:.1f} s "
          f"({remote_only / pulled_in:.0%} of the round)")
    if paid != p:
        raise SystemExit(f"only {paid} of {p} invoices paid here")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--payments", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("CROSSDOCK_PASSWORD_HASH", "pbkdf2:sha256:1000")
    from tests.doubles.json_http import JsonHttpServer
    from tests.doubles.odoo_double import OdooDouble

    instance = Path(tempfile.mkdtemp(prefix="crossdock-invoicing-bench-"))
    odoo = JsonHttpServer(OdooDouble({**PRODUCTS}, currency="CNY")).start()
    try:
        app = _app(instance)
        order_ids = _seed(app, odoo.url, args.invoices)
        issue_and_push(app, odoo, order_ids)
        payments_back(app, odoo, args.payments)
    finally:
        odoo.stop()


if __name__ == "__main__":
    main()
