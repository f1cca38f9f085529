"""E-invoices through the hub (issue 15), on SQLite, against the Storecove
access point double (tests/doubles/peppol_ap_double.py, served from this
process over HTTP), the embedded broker's worker threads running the jobs.

1. issue: K invoices issued to a customer on the Peppol UBL channel, one
   commit each: the issue hook builds the UBL and validates it by the
   official rules in the issuing transaction. Baseline in the same run: K
   invoices issued to a customer without a channel (issuing alone); the
   difference is what e-invoicing adds to issuing (p50/p95 of one issue).
2. send: the workers drain the K send jobs (sent per second); exactness: the
   double holds exactly K documents, one per number of ours, each the file
   kept on its submission.
3. answers: every document delivered at the double, one pull round until
   every submission is `delivered` (answers read per second).

    .venv/bin/python bench/einvoice_send.py                  # K = 200
    .venv/bin/python bench/einvoice_send.py --invoices 50
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import pct  # noqa: E402
from bench.invoicing_sync import _drain  # noqa: E402
from tests.einvoice_documents import ARTEFACTS  # noqa: E402


def _app(instance: Path):
    from core.app import create_app
    from core.config import Settings

    url = f"sqlite:///{instance / 'einvoice.sqlite'}"
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0, hub_embedded_threads=0,
                                       hub_backoff_base_seconds=0.2,
                                       en16931_artefacts=str(ARTEFACTS)))
    with app.app_context():
        from core.addons import lifecycle
        from core.db import db

        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["einvoicing"])
    return app


def _seed(app, ap, k: int) -> dict[str, list[int]]:
    """A seller, the access point backend, two customers and K confirmed orders each."""
    from sqlalchemy import select

    from addons.contacts.models import Company
    from addons.einvoicing.models import EinvoiceSeller
    from addons.sales.models import Currency, CurrencyRate, Product, SalesOrder, Tax
    from addons.sales.services.orders import order_states
    from addons.sales.services.orders.order_lines import new_line
    from connectors.hub.backends import save_backend
    from core.db import db

    with app.app_context():
        eur = db.session.scalars(select(Currency).filter_by(code="EUR")).one()
        vat = Tax(name="USt 19%", rate=Decimal("19"), price_include=False, active=True)
        product = Product(code="BENCH-A", name="Scanner", list_price=Decimal("175.00"),
                          currency=eur, tax=vat, active=True)
        fields = dict(country_code="DE", street="Hauptstr. 1", city="Berlin",
                      postal_code="10115")
        peppol = Company(name="Berliner Logistik GmbH", einvoice_channel="peppol_ubl",
                         einvoice_endpoint="DE136695976", einvoice_endpoint_scheme="9930",
                         **fields)
        peppol.tax_id = "DE136695976"
        plain = Company(name="Ohne E-Rechnung GmbH", **fields)
        plain.tax_id = "DE129273398"
        rate = CurrencyRate(currency=eur, effective_date=date(2020, 1, 1), rate=Decimal("0.128"))
        db.session.add_all([rate, vat, product, peppol, plain, EinvoiceSeller(
            name="Crossdock GmbH", vat_id="DE811569869", street="Alexanderplatz 1",
            city="Berlin", postal_code="10178", country_code="DE")])
        save_backend(db.session, None, name="storecove", kind="peppol_ap",
                     url=f"{ap.url}/api/v2", secret=ap.app.api_key,
                     options_json=json.dumps({"legal_entity_id": ap.app.legal_entity_id}))
        db.session.commit()
        orders = {}
        for company in (plain, peppol):
            orders[company.name] = []
            for n in range(k):
                order = SalesOrder(company=company, currency=eur)
                db.session.add(order)
                new_line(db.session, order, product, Decimal(1 + n % 4))
                db.session.flush()
                order_states.confirm(db.session, order)
                db.session.commit()
                orders[company.name].append(order.id)
        return orders


def _issue_all(app, order_ids: list[int]) -> list[float]:
    from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
    from addons.sales.models import SalesOrder
    from core.db import db

    timings = []
    for order_id in order_ids:
        with app.app_context():  # as a command runs it: the system, a writer
            t0 = time.perf_counter()
            invoice = draft_from_order.invoice_order(db.session,
                                                     db.session.get(SalesOrder, order_id))
            db.session.flush()
            issue_invoice.issue(db.session, invoice)
            db.session.commit()
            timings.append((time.perf_counter() - t0) * 1000)
            db.session.remove()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=200)
    args = parser.parse_args()
    k = args.invoices
    from sqlalchemy import func, select

    from addons.einvoicing.models import EinvoiceSubmission
    from addons.einvoicing.services.sending import peppol
    from connectors import hub
    from core.db import db
    from tests.doubles.json_http import JsonHttpServer
    from tests.doubles.peppol_ap_double import StorecoveDouble

    ap = JsonHttpServer(StorecoveDouble()).start()
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        orders = _seed(app, ap, k)
        plain, with_channel = orders.values()
        base = _issue_all(app, plain)
        timed = _issue_all(app, with_channel)
        print(f"issue without a channel: {k} invoices, p50 {statistics.median(base):.1f} ms, "
              f"p95 {pct(base, .95):.1f} ms")
        print(f"issue with Peppol UBL: {k} invoices, p50 {statistics.median(timed):.1f} ms, "
              f"p95 {pct(timed, .95):.1f} ms (the hook adds "
              f"{statistics.median(timed) - statistics.median(base):.1f} ms at p50: "
              f"UBL built and validated)")
        sent_in = _drain(app, "einvoicing.peppol_ubl.send", k)
        print(f"send: {k} e-invoices to the access point in {sent_in:.1f} s, "
              f"{k / sent_in:.1f} sent/s (2 worker threads)")
        with app.app_context():
            kept = {s.file_name: s.content for s in db.session.scalars(select(EinvoiceSubmission))}
        at_ap = [s.document for s in ap.app.submissions]
        exact = len(at_ap) == k and sorted(at_ap) == sorted(kept.values())
        print(f"exact: {len(at_ap)} documents at the access point for {len(kept)} of ours, "
              f"each the kept file: {'yes' if exact else 'NO'}")
        ap.app.deliver()
        with app.app_context():
            answers = [c for c in peppol.PEPPOL.answers]
            started = time.perf_counter()
            hub.pull_now(db.session, *answers)
            pulled_in = time.perf_counter() - started
            delivered = db.session.scalar(select(func.count()).where(
                EinvoiceSubmission.state == "delivered"))
        print(f"answers: one pull round, {delivered} of {k} delivered in {pulled_in:.2f} s, "
              f"{k / pulled_in:.0f} answers/s")
        if not exact or delivered != k:
            raise SystemExit("the access point does not hold exactly our files, or not all "
                             "were delivered")
    ap.stop()


if __name__ == "__main__":
    main()
