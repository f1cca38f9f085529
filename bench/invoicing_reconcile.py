"""Reconciliation of N invoices (issue 14), on SQLite, against the Odoo
double (tests/doubles/odoo_double.py, over HTTP), seeded in this process and
then served from a forked child, so its own work (search, JSON) is not on
our interpreter's lock, as a real Odoo's is not.

N issued invoices of ours, bound to N posted invoices in the double (rows
written in bulk on both sides: the seed is not what is measured), then a few
hundred planted differences: remote invoices deleted (missing there), typed
in Odoo by hand (missing here), a cent off (amounts), reset to draft
(states), typed twice (duplicates). `reconcile()` as the screen and the
command run it, R times: p50 and invoices per second, the share of one run
spent in our select, waiting for the remote's pages (the double's answer and
its JSON) and comparing in memory; then the found counts against the planted
ones (exit 1 when they differ).

    .venv/bin/python bench/invoicing_reconcile.py                   # N = 100,000, R = 3
    .venv/bin/python bench/invoicing_reconcile.py --invoices 2000 --runs 1 --planted 20
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.invoicing_sync import _app  # noqa: E402

TODAY = date.today()
TOTAL, TAX = Decimal("113.00"), Decimal("13.00")


def _seed_ours(app, n: int, odoo_url: str) -> int:
    """The backend (Crossdock invoices) and N issued invoices of one order; its id."""
    from sqlalchemy import insert, select

    from addons.contacts.models import Company
    from addons.invoicing_link.models import Invoice
    from addons.sales.models import Currency, SalesOrder
    from connectors.hub.backends import save_backend
    from core.db import db

    with app.app_context():
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        company = Company(name="华东物流 East China Logistics")
        order = SalesOrder(company=company, currency=cny)
        db.session.add_all([company, order])
        backend = save_backend(db.session, None, name="odoo", kind="odoo", url=odoo_url,
                               database="odoo", username="admin", secret="odoo-test-key",
                               options_json='{"invoicing": "crossdock"}')
        db.session.flush()
        now = datetime.utcnow()
        db.session.execute(insert(Invoice.__table__), [
            {"id": k + 1, "kind": "invoice", "origin": "crossdock", "state": "issued",
             "series": "BENCH", "fiscal_year": TODAY.year, "number": f"BENCH/{k:06d}",
             "company_id": company.id, "order_id": order.id, "currency_id": cny.id,
             "invoice_date": TODAY, "amount_untaxed": TOTAL - TAX, "amount_tax": TAX,
             "amount_total": TOTAL, "payment_state": "not_paid", "amount_paid": Decimal(0),
             "amount_residual": TOTAL, "created_at": now} for k in range(n)])
        db.session.commit()
        return backend.id


def _seed_remote(app, double, backend_id: int, n: int) -> None:
    """N posted moves carrying our numbers in the double's store, bound to ours."""
    from sqlalchemy import insert

    from connectors.hub.models import Binding
    from core.db import db

    partner = double._insert("res.partner", {"name": "East China Logistics", "active": True})
    external = []
    for k in range(n):
        external.append(double._insert("account.move", {
            "move_type": "out_invoice", "state": "posted", "name": f"INV/{TODAY.year}/{k:06d}",
            "ref": f"BENCH/{k:06d}", "partner_id": partner, "invoice_date": TODAY.isoformat(),
            "currency_id": double.currency_id, "amount_untaxed": TOTAL - TAX,
            "amount_tax": TAX, "amount_total": TOTAL, "amount_residual": TOTAL,
            "payment_state": "not_paid"}))
    with app.app_context():
        now = datetime.utcnow()
        db.session.execute(insert(Binding.__table__), [
            {"backend_id": backend_id, "model": "invoicing.invoice", "record_id": k + 1,
             "external_id": str(move_id), "synced_at": now}
            for k, move_id in enumerate(external)])
        db.session.commit()


def _plant(double, n: int, per_kind: int) -> dict[str, int]:
    """per_kind differences of each kind, on distinct invoices; the planted counts."""
    moves = double.records["account.move"]
    ids = list(moves)
    step = max(1, n // (4 * per_kind + 1))
    chosen = iter(ids[::step])
    for _ in range(per_kind):  # deleted in Odoo: missing there
        move = moves.pop(next(chosen))
        double._unindex("account.move", "ref", move)
    for _ in range(per_kind):  # a cent off
        move = moves[next(chosen)]
        for field in ("amount_tax", "amount_total", "amount_residual"):
            move[field] += Decimal("0.01")
    for _ in range(per_kind):  # reset to draft in Odoo
        moves[next(chosen)]["state"] = "draft"
    for _ in range(per_kind):  # one of ours typed again
        copy = dict(moves[next(chosen)])
        copy.pop("id")
        double._insert("account.move", copy)
    for k in range(per_kind):  # Odoo's own
        double._insert("account.move", {
            "move_type": "out_invoice", "state": "posted", "name": f"INV/ODOO/{k:05d}",
            "ref": "", "invoice_date": TODAY.isoformat(), "currency_id": double.currency_id,
            "amount_untaxed": Decimal(50), "amount_tax": Decimal("6.50"),
            "amount_total": Decimal("56.50"), "amount_residual": Decimal("56.50")})
    return {kind: per_kind for kind in ("missing_remote", "missing_here", "amount_mismatch",
                                        "state_mismatch", "duplicate_reference")}


def reconcile_runs(app, runs: int):
    from addons.invoicing_link.services.reconciliation.reconcile import (backend_named,
                                                                          reconcile)
    from core.db import db

    results, seconds = [], []
    for _ in range(runs):
        with app.app_context():  # as the command runs it: the system
            started = time.perf_counter()
            results.append(reconcile(db.session, backend_named(db.session, "odoo"),
                                     TODAY, TODAY))
            seconds.append(time.perf_counter() - started)
            db.session.remove()
    return results, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=60, help="differences per kind")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("CROSSDOCK_PASSWORD_HASH", "pbkdf2:sha256:1000")
    from tests.doubles.json_http import JsonHttpServer
    from tests.doubles.odoo_double import OdooDouble

    instance = Path(tempfile.mkdtemp(prefix="crossdock-reconcile-bench-"))
    odoo = JsonHttpServer(OdooDouble({}, currency="CNY"))  # bound now, served after the fork
    app = _app(instance)
    n = args.invoices
    started = time.perf_counter()
    backend_id = _seed_ours(app, n, odoo.url)
    _seed_remote(app, odoo.app, backend_id, n)
    planted = _plant(odoo.app, n, args.planted)
    print(f"seed: {n} invoices here and in the Odoo double, {sum(planted.values())} "
          f"differences planted, in {time.perf_counter() - started:.1f} s (not measured)")
    child = os.fork()
    if child == 0:  # the double's process: serve until told to stop
        try:
            odoo.serve_forever()
        finally:
            os._exit(0)
    try:
        results, seconds = reconcile_runs(app, args.runs)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    last = results[-1]
    p50 = statistics.median(seconds)
    parts = {"our select": last.seconds_ours, "the remote's pages": last.seconds_remote,
             "comparing": last.seconds_compare}
    whole = sum(parts.values())
    print(f"reconcile: {last.ours_count} here against {last.remote_count} there, "
          f"{args.runs} runs, p50 {p50:.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}), "
          f"{last.ours_count / p50:,.0f} invoices/s")
    print("  last run: " + ", ".join(f"{name} {s:.2f} s ({s / whole:.0%})"
                                     for name, s in parts.items()))
    found = last.counts()
    print(f"found vs planted: {last.matched} matched; " + ", ".join(
        f"{kind} {found[kind]}/{planted[kind]}" for kind in planted))
    if found != planted or any(r.counts() != found for r in results):
        raise SystemExit("the reconciliation did not find exactly what was planted")


if __name__ == "__main__":
    main()
