"""Issue 14: issuing processes killed with SIGKILL never leave a gap, a twin
number or a half-issued invoice, on SQLite and on PostgreSQL.

Real OS processes issue drafts on one database at once (a small script, the
service as `crossdock invoicing_link invoice --issue` calls it, pausing
between the issue and the commit where a slow transaction would). One is
killed holding the series' lock while the others wait on it; another is
killed mid-loop, its credit note's RINV number drawn but not committed. Then
what finance checks: each series and year numbered 1..n without a gap or a
twin, one number and one push job and one audit entry per issued invoice,
none for a draft; the drafts the dead left behind issue with the next
numbers, and so does the command afterwards.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import CROSSDOCK
from tests.live_server import EXAMPLE_ADDONS

pytestmark = pytest.mark.addons("invoicing_link")
YEAR = date.today().year
# Issues the drafts named on its command line, one transaction each, after the
# file GO appears; prints each number when drawn (lock held, not committed)
# and once committed; PAUSE seconds between the two.
ISSUER = """
import os, sys, time
from core.app import create_app
from core.db import db
from addons.invoicing_link.models import Invoice
from addons.invoicing_link.services.invoices.issue_invoice import issue
from addons.invoicing_link.services.invoices.invoice_errors import (
    InvoiceCheckError, InvoiceStateError)
app = create_app()
print("ready", flush=True)
while not os.path.exists(os.environ["GO"]):
    time.sleep(0.02)
with app.app_context():
    for pk in map(int, sys.argv[1:]):
        try:
            number = issue(db.session, db.session.get(Invoice, pk))
        except (InvoiceCheckError, InvoiceStateError) as exc:
            db.session.rollback()
            print("refused", pk, exc, flush=True)
            continue
        print("drawn", pk, number, flush=True)
        time.sleep(float(os.environ["PAUSE"]))
        db.session.commit()
        print("committed", pk, number, flush=True)
"""


class Issuer:
    """One issuing process; its output read as it goes."""

    def __init__(self, tmp_path: Path, env: dict, name: str, drafts: list[int], pause: float):
        self.go = tmp_path / f"go-{name}"
        self.log = tmp_path / f"{name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", ISSUER, *map(str, drafts)], stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**env, "GO": str(self.go), "PAUSE": str(pause)})

    def lines(self, word: str) -> list[list[str]]:
        return [line.split()[1:] for line in self.log.read_text().splitlines()
                if line.startswith(word + " ")]

    def wait_for(self, what, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"timed out: {self.log.read_text()}"
            time.sleep(0.02)

    def start(self) -> None:
        self.go.touch()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(10) == -signal.SIGKILL

    def finish(self) -> None:
        assert self.proc.wait(60) == 0, self.log.read_text()


def _shop(app, orders: int) -> list[int]:
    """`orders` confirmed orders of one customer, one line each; an Odoo
    backend taking our invoices (no worker runs: their push jobs wait)."""
    from addons.contacts.models import Company
    from addons.sales.models import Currency, Product, SalesOrder, Tax
    from addons.sales.services.orders import order_states
    from addons.sales.services.orders.order_lines import new_line
    from connectors.hub.backends import save_backend

    with app.app_context():
        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        product = Product(code="CD-CHAIR", name="Chair 椅子", list_price=Decimal("120.00"),
                          currency=cny, active=True,
                          tax=db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one())
        company = Company(name="华东物流 East China Logistics")
        db.session.add_all([product, company])
        save_backend(db.session, None, name="odoo", kind="odoo", url="http://127.0.0.1:9",
                     database="odoo", username="admin", secret="key",
                     options_json='{"invoicing": "crossdock"}')
        ids = []
        for n in range(orders):
            order = SalesOrder(company=company, currency=cny)
            db.session.add(order)
            new_line(db.session, order, product, Decimal(1 + n))
            db.session.flush()
            order_states.confirm(db.session, order)
            ids.append(order.id)
        db.session.commit()
    return ids


def _drafts(app, order_ids: list[int], issue_first: int) -> tuple[list[int], list[int]]:
    """A draft invoice per order; the first `issue_first` issued here, each
    with a draft credit note. Returns (invoice drafts, credit note drafts)."""
    from addons.invoicing_link.services.invoices import credit_note, draft_from_order
    from addons.invoicing_link.services.invoices.issue_invoice import issue
    from addons.sales.models import SalesOrder

    with app.app_context():
        drafts = [draft_from_order.invoice_order(db.session, db.session.get(SalesOrder, o))
                  for o in order_ids]
        db.session.flush()
        credits = []
        for invoice in drafts[:issue_first]:
            issue(db.session, invoice)
            credits.append(credit_note.credit_note(db.session, invoice))
        db.session.commit()
        return [i.id for i in drafts[issue_first:]], [c.id for c in credits]


def _ledger(app) -> dict:
    """What finance checks: numbers per series, drafts, push jobs, issue audits."""
    from addons.invoicing_link.models import Invoice, InvoiceSequence
    from connectors.hub.models import SyncJob
    from core.security.audit import AuditLog

    with app.app_context():
        invoices = db.session.scalars(select(Invoice).order_by(Invoice.id)).all()
        jobs = db.session.scalars(select(SyncJob.record_id).where(
            SyncJob.kind == "invoicing.invoice.push")).all()
        audits = db.session.scalars(select(AuditLog.record_id).where(
            AuditLog.model == "Invoice", AuditLog.action == "issue")).all()
        sequences = {(s.series, s.fiscal_year): s.next_number
                     for s in db.session.scalars(select(InvoiceSequence))}
        db.session.remove()
    issued = [i for i in invoices if i.state == "issued"]
    numbers: dict[str, list[int]] = {}
    for invoice in issued:
        series, year, value = invoice.number.split("/")
        assert (int(year), invoice.fiscal_year) == (YEAR, YEAR), invoice.number
        numbers.setdefault(series, []).append(int(value))
    return {"numbers": {s: sorted(v) for s, v in numbers.items()},
            "issued": sorted(i.id for i in issued),
            "drafts": {i.id: i.number for i in invoices if i.state == "draft"},
            "sequences": {s: n for (s, y), n in sequences.items() if y == YEAR},
            "push_jobs": sorted(jobs), "issue_audits": sorted(int(a) for a in audits)}


def assert_gap_free(ledger: dict, invoices: int, credit_notes: int) -> None:
    assert ledger["numbers"] == {"INV": list(range(1, invoices + 1)),
                                 "RINV": list(range(1, credit_notes + 1))}, ledger
    assert ledger["sequences"] == {"INV": invoices + 1, "RINV": credit_notes + 1}, ledger
    assert all(n is None for n in ledger["drafts"].values()), ledger  # a draft has no number
    # the issue's push job and audit entry committed with its number, once each
    assert ledger["push_jobs"] == ledger["issue_audits"] == ledger["issued"], ledger


def test_issuers_killed_mid_transaction_leave_no_gap_and_no_twin(make_app, tmp_path,
                                                                   database_url):
    started = time.monotonic()
    app = make_app()
    orders = _shop(app, 10)
    d, (c1, c2) = _drafts(app, orders[:9], issue_first=2)  # INV 1-2 issued here
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_DATABASE_URL=database_url, CROSSDOCK_INSTANCE_PATH=str(tmp_path / "i"),
               CROSSDOCK_ADDONS_PATH=str(EXAMPLE_ADDONS), PYTHONUNBUFFERED="1",
               CROSSDOCK_SECRET_KEY=app.extensions["crossdock"].settings.secret_key,
               CROSSDOCK_HUB_EMBEDDED_THREADS="0")  # jobs stay pending: no worker here
    holder = Issuer(tmp_path, env, "holder", [d[0]], pause=600)
    killed = Issuer(tmp_path, env, "killed", [d[1], c1, d[2], d[3]], pause=0.3)
    survivor = Issuer(tmp_path, env, "survivor", [d[4], d[5], c2, d[6], d[0]], pause=0.05)
    try:
        for issuer in (holder, killed, survivor):
            issuer.wait_for(lambda i=issuer: "ready" in i.log.read_text())
        holder.start()
        holder.wait_for(lambda: holder.lines("drawn"))
        assert holder.lines("drawn") == [[str(d[0]), f"INV/{YEAR}/00003"]]
        killed.start()
        survivor.start()
        time.sleep(1.0)  # both wait on the series' lock the holder keeps
        assert not killed.lines("drawn") and not survivor.lines("drawn")
        holder.kill()  # its INV/00003 was never committed: the next issuer takes it
        killed.wait_for(lambda: len(killed.lines("drawn")) == 2)
        killed.kill()  # mid-transaction: c1's RINV drawn, not committed
        survivor.finish()
    finally:
        for issuer in (holder, killed, survivor):
            if issuer.proc.poll() is None:
                issuer.proc.kill()
    assert killed.lines("committed") == [[str(d[1]), killed.lines("drawn")[0][1]]]
    assert killed.lines("drawn")[1][0] == str(c1)  # killed holding an RINV number
    assert not survivor.lines("refused")
    assert [pk for pk, _ in survivor.lines("committed")] == list(map(str, [d[4], d[5], c2,
                                                                          d[6], d[0]]))
    ledger = _ledger(app)
    assert_gap_free(ledger, invoices=7, credit_notes=1)
    assert sorted(ledger["drafts"]) == sorted([d[2], d[3], c1])  # the dead one's, unnumbered

    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.services.invoices.issue_invoice import issue
    from addons.sales.models import SalesOrder

    with app.app_context():  # what the dead left: issued with the next numbers
        assert [issue(db.session, db.session.get(Invoice, pk)) for pk in (d[2], c1, d[3])] == [
            f"INV/{YEAR}/00008", f"RINV/{YEAR}/00002", f"INV/{YEAR}/00009"]
        db.session.commit()
        last_order = db.session.get(SalesOrder, orders[9]).number
        db.session.remove()
    out = subprocess.run([CROSSDOCK, "invoicing_link", "invoice", last_order, "--issue"],
                         env=env, capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{last_order}: INV/{YEAR}/00010, "), out.stdout
    assert_gap_free(_ledger(app), invoices=10, credit_notes=2)
    print(f"\nkilled issuers, {database_url.split(':')[0]}: {time.monotonic() - started:.1f}s")
