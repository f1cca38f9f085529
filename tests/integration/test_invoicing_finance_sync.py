"""Invoices and a real Tryton (issue 14), both ways a company invoices:

- the ERP invoices: a confirmed order synced to Tryton, invoiced, posted and
  paid there in two payments; Crossdock mirrors the invoice (number, totals
  to the cent, state) and its payments, and nobody can change it here;
- Crossdock invoices: an invoice issued here reaches Tryton once, posted, with
  our lines, taxes and totals; paid there, it shows paid here; a credit note
  follows and names it.
Jobs run on the embedded broker's threads; pulls are the scheduler's ticks."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, install
from tests.invoicing_world import jobs_run_out

pytestmark = pytest.mark.addons("invoicing_link")


@pytest.fixture
def shop(make_app, fresh_tryton):
    app = make_app(hub_lease_seconds=10, hub_backoff_base_seconds=0.2,
                   hub_backoff_ceiling_seconds=1, hub_resend_after_seconds=1)
    install(app, "invoicing_link")
    owner = add_user(app, "s1", ["Salesperson"], "A")
    add_user(app, "fin", ["Finance"])
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        db.session.add_all([
            Product(code="TEST-A", name="Test A", list_price=Decimal("10.005"), currency=cny,
                    tax=vat13, active=True),
            Product(code="TEST-B", name="Test B", list_price=Decimal("25.50"), currency=cny,
                    tax=vat13, active=True),
            Company(name="华东物流 East China Logistics", owner_id=owner,
                    tax_id="91310000MA1FL0001R")])
        db.session.commit()
    return app, fresh_tryton


def _backend(app, tryton, options=""):
    with app.app_context():
        from connectors.hub.backends import save_backend

        save_backend(db.session, None, name="tryton", kind="tryton", url=tryton.url,
                     database=tryton.database, username=tryton.username,
                     secret=tryton.password, options_json=options)
        db.session.commit()


def _confirmed_order(app) -> tuple[int, str]:
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line

        company = db.session.scalars(select(Company)).one()
        order = SalesOrder(company=company, currency=db.session.scalars(
            select(Product)).first().currency, owner_id=company.owner_id)
        db.session.add(order)
        for code, quantity in (("TEST-A", "3"), ("TEST-B", "2")):
            product = db.session.scalars(select(Product).filter_by(code=code)).one()
            new_line(db.session, order, product, Decimal(quantity))
        db.session.flush()
        order_states.confirm(db.session, order)
        db.session.commit()
        return order.id, order.number



def _pull(app) -> dict:
    from connectors.hub.scheduler import Scheduler

    scheduler = Scheduler(app.extensions["hub"], "puller")
    scheduler._last_pull.clear()  # every pull is due
    return scheduler.tick()["pull"]


def _invoices(app) -> list[dict]:
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        return [{c: getattr(i, c) for c in (
            "id", "origin", "kind", "state", "number", "amount_untaxed", "amount_tax",
            "amount_total", "payment_state", "amount_paid", "amount_residual",
            "payment_changed_at", "order_id", "company_id", "credited_invoice_id")}
            for i in db.session.scalars(select(Invoice).order_by(Invoice.id))]


def _order_totals(app, order_id):
    with app.app_context():
        from addons.sales.models import SalesOrder

        o = db.session.get(SalesOrder, order_id)
        return o.amount_untaxed, o.amount_tax, o.amount_total


def test_the_erp_invoices_and_crossdock_mirrors_the_invoice_and_its_payments(shop):
    app, tryton = shop
    _backend(app, tryton)  # default: the ERP invoices
    order_id, number = _confirmed_order(app)
    assert [(k, s) for k, s, _ in jobs_run_out(app)] == [("sales.order.push", "done")]
    sale, = tryton.search_read("sale.sale", [("reference", "=", number)], ["id", "number"])
    assert _pull(app) == {"tryton": 0} and _invoices(app) == []  # not invoiced yet

    tryton.rpc("model.sale.sale.process", [sale["id"]])  # Tryton invoices the sale
    _pull(app)
    mirrored, = _invoices(app)
    assert (mirrored["origin"], mirrored["kind"], mirrored["state"], mirrored["number"],
            mirrored["order_id"]) == ("erp", "invoice", "draft", None, order_id)
    untaxed, tax, total = _order_totals(app, order_id)
    assert (untaxed, tax, total) == (Decimal("81.02"), Decimal("10.53"), Decimal("91.55"))
    assert (mirrored["amount_untaxed"], mirrored["amount_tax"], mirrored["amount_total"]) == (
        untaxed, tax, total)

    remote, = tryton.search_read("account.invoice", [("sales", "in", [sale["id"]])], ["id"])
    tryton.rpc("model.account.invoice.post", [remote["id"]])
    tryton.pay_invoice(remote["id"], Decimal("50.00"))
    _pull(app)
    posted, = tryton.search_read("account.invoice", [("id", "=", remote["id"])], ["number"])
    partial, = _invoices(app)
    assert (partial["state"], partial["number"], partial["payment_state"], partial["amount_paid"],
            partial["amount_residual"]) == ("issued", posted["number"], "partial",
                                            Decimal("50.00"), Decimal("41.55"))
    assert partial["payment_changed_at"].date() == date.today()

    tryton.pay_invoice(remote["id"])  # the rest
    _pull(app)
    paid, = _invoices(app)
    assert (paid["payment_state"], paid["amount_paid"], paid["amount_residual"]) == (
        "paid", Decimal("91.55"), Decimal("0"))

    finance = app.test_client()  # the ERP's invoice is the ERP's: not changed here
    resp = finance.post(f"/api/v1/invoice/{paid['id']}/credit",
                        headers={"Authorization": f"Bearer {api_token(finance, 'fin')}"},
                        json={})
    assert resp.status_code == 409 and "made by the ERP" in resp.get_json()["message"]
    with app.app_context():
        from core.security.audit import AuditLog

        changes = db.session.scalars(select(AuditLog).where(
            AuditLog.model == "Invoice", AuditLog.record_id == str(paid["id"]))).all()
        assert [c.action for c in changes][:1] == ["create"] and len(changes) >= 3


def test_crossdock_invoices_reach_tryton_once_and_their_payment_comes_back(shop):
    app, tryton = shop
    _backend(app, tryton, options='{"invoicing": "crossdock"}')
    order_id, number = _confirmed_order(app)
    with app.app_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice
        from addons.sales.models import SalesOrder

        invoice = draft_from_order.invoice_order(db.session, db.session.get(SalesOrder, order_id))
        db.session.flush()
        ours = issue_invoice.issue(db.session, invoice)
        db.session.commit()
        invoice_id = invoice.id
    jobs = jobs_run_out(app)
    assert [(k, s) for k, s, _ in jobs] == [("sales.order.push", "done"),
                                           ("invoicing.invoice.push", "done")], jobs
    remote, = tryton.search_read(
        "account.invoice", [("reference", "=", ours)],
        ["id", "number", "state", "party.rec_name", "untaxed_amount", "tax_amount",
         "total_amount", "currency.code", "type"])
    sale, = tryton.search_read("sale.sale", [("reference", "=", number)], ["party"])
    untaxed, tax, total = _order_totals(app, order_id)
    assert (remote["state"], remote["type"], remote["currency."]["code"], remote["untaxed_amount"],
            remote["tax_amount"], remote["total_amount"]) == (
        "posted", "out", "CNY", untaxed, tax, total)
    party, = tryton.search_read("party.party", [("id", "=", sale["party"])], ["rec_name"])
    assert remote["party."]["rec_name"] == party["rec_name"]  # the order's customer there
    lines = tryton.search_read("account.invoice.line", [("invoice", "=", remote["id"])],
                               ["product.code", "quantity", "amount", "taxes"])
    assert sorted((l["product."]["code"], l["quantity"], l["amount"]) for l in lines) == [
        ("TEST-A", 3.0, Decimal("30.02")), ("TEST-B", 2.0, Decimal("51.00"))]
    assert all(len(l["taxes"]) == 1 for l in lines)

    assert jobs_run_out(app) == jobs  # nothing sent twice
    tryton.pay_invoice(remote["id"])
    _pull(app)
    paid = next(i for i in _invoices(app) if i["id"] == invoice_id)
    assert (paid["origin"], paid["number"], paid["payment_state"], paid["amount_residual"],
            paid["amount_paid"]) == ("crossdock", ours, "paid", Decimal("0"), total)

    with app.app_context():  # a credit note of it, issued here, names it there
        from addons.invoicing_link.models import Invoice
        from addons.invoicing_link.services.invoices import credit_note

        credit = credit_note.credit_note(db.session, db.session.get(Invoice, invoice_id))
        db.session.flush()
        credit_number = issue_invoice.issue(db.session, credit)
        db.session.commit()
    kinds = [(k, s) for k, s, _ in jobs_run_out(app)]
    assert kinds[-1] == ("invoicing.invoice.push", "done")
    refund, = tryton.search_read("account.invoice", [("reference", "=", credit_number)],
                                 ["total_amount", "state"])
    assert (refund["total_amount"], refund["state"]) == (-total, "posted")
