"""The hub end to end with the sales addon, on real SQLite and PostgreSQL:
confirmed orders become jobs in the same transaction, run on the embedded
Dramatiq broker's worker threads against an ERP over HTTP (the Odoo double,
tests/doubles), and end bound exactly once, whatever fails on the way.
The same flows against a real Tryton server with Redis and separate worker
processes are in test_hub_reliability.py."""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.doubles.fixtures import CATALOG, proxy_to  # noqa: F401 (fixture)
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.odoo_double import OdooDouble
from tests.helpers import add_user, install, login

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def odoo_server():
    """A fresh Odoo double per test: each test's database numbers orders from SO...-00001."""
    server = JsonHttpServer(OdooDouble(CATALOG)).start()
    yield server
    server.stop()


def _wait(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


@pytest.fixture
def shop(make_app):
    """sales installed, a salesperson's customer and the double's products."""
    app = make_app(hub_lease_seconds=5, hub_backoff_base_seconds=0.2,
                   hub_backoff_ceiling_seconds=1, hub_resend_after_seconds=1,
                   hub_recovery_grace_seconds=1.5)
    install(app, "sales")
    add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Currency, Product, Tax
        from flask_appbuilder.security.sqla.models import User

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        tax = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        owner = db.session.scalars(select(User).filter_by(username="s1")).one()
        for code, price in (("CD-CHAIR", "120"), ("CD-DESK", "349.90"), ("NOT-IN-ERP", "5")):
            db.session.add(Product(code=code, name=code, list_price=Decimal(price), currency=cny,
                                   tax=tax, active=True))
        db.session.add(Company(name="华东物流 East China Logistics", owner_id=owner.id,
                               tax_id="91310000MA1FL0001R"))
        db.session.commit()
    return app


def _backend(app, url, name="odoo"):
    with app.app_context():
        from connectors.hub.backends import save_backend

        backend = save_backend(db.session, None, name=name, kind="odoo", url=url,
                               database="odoo", username="admin", secret="odoo-test-key")
        db.session.commit()
        return backend.id


def _confirmed_order(app, lines=(("CD-CHAIR", "2"), ("CD-DESK", "1")), confirm=True,
                     customer=None):
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line

        company = db.session.scalars(select(Company).order_by(Company.id).filter_by(
            **({"name": customer} if customer else {}))).first()
        order = SalesOrder(company=company, currency=company and db.session.scalars(
            select(Product)).first().currency, owner_id=company.owner_id)
        db.session.add(order)
        for code, qty in lines:
            product = db.session.scalars(select(Product).filter_by(code=code)).one()
            new_line(db.session, order, product, Decimal(qty))
        db.session.flush()
        if confirm:
            order_states.confirm(db.session, order)
        db.session.commit()
        return order.id, order.number


def _jobs(app, order_id=None):
    with app.app_context():
        from connectors.hub.models import SyncJob

        query = select(SyncJob).order_by(SyncJob.id)
        if order_id is not None:
            query = query.where(SyncJob.record_id == order_id)
        jobs = db.session.scalars(query).all()
        db.session.expunge_all()  # plain snapshots for the assertions
        return jobs


def _erp_status(app, order_id):
    with app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.erp.status import erp_status

        return [s.text for s in erp_status(db.session.get(SalesOrder, order_id))]


def _start(app, threads=2):
    return app.extensions["hub"].start_worker(threads)


def _stop(app):
    app.extensions["hub"].stop()


def test_no_commit_no_job_and_one_live_job_per_identity(shop, odoo_server):
    _backend(shop, odoo_server.url)
    with shop.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Product, SalesOrder
        from addons.sales.services.orders import order_states
        from addons.sales.services.orders.order_lines import new_line
        from connectors import hub
        from connectors.hub.models import SyncJob

        company = db.session.scalars(select(Company)).first()
        product = db.session.scalars(select(Product).filter_by(code="CD-CHAIR")).one()
        order = SalesOrder(company=company, currency=product.currency, owner_id=company.owner_id)
        db.session.add(order)
        new_line(db.session, order, product, Decimal(1))
        db.session.flush()
        order_states.confirm(db.session, order)
        assert db.session.scalar(select(func.count(SyncJob.id))) == 1  # inside the transaction
        db.session.rollback()  # the confirmation is abandoned: so is the job
        assert db.session.scalar(select(func.count(SyncJob.id))) == 0
    order_id, _ = _confirmed_order(shop)
    [job] = _jobs(shop, order_id)
    assert job.state == "queued" and job.kind == "sales.order.push"  # dispatched after commit
    with shop.app_context():
        from addons.sales.services.erp.push import ORDER_PUSH

        again = hub.enqueue(db.session, ORDER_PUSH, order_id, job.backend_id)
        db.session.commit()
        assert again.id == job.id  # the unique index, not a second job
    assert len(_jobs(shop, order_id)) == 1
    assert _erp_status(shop, order_id) == ["odoo: sync queued (attempt 0)"]


def test_confirmed_order_reaches_the_erp_once_and_shows_its_number(shop, odoo_server):
    _backend(shop, odoo_server.url)
    order_id, number = _confirmed_order(shop)
    _start(shop)
    try:
        _wait(lambda: _jobs(shop, order_id)[0].state == "done", what="job done")
    finally:
        _stop(shop)
    remote = odoo_server.app.order_by_reference(number)
    assert remote is not None and remote["state"] == "sale"
    assert odoo_server.app.orders_with_reference(number) == 1
    [job] = _jobs(shop, order_id)
    assert job.attempts == 1 and job.remote_ref == remote["name"]
    with shop.app_context():
        from connectors.hub.models import Binding

        bindings = {b.model: b for b in db.session.scalars(select(Binding))}
        assert bindings["sales.order"].external_number == remote["name"]
        assert bindings["contacts.company"].external_id == str(remote["partner_id"])
        order_binding = bindings["sales.order"]
        assert order_binding.remote_state == "confirmed"
    assert _erp_status(shop, order_id) == [
        f"odoo: {remote['name']} ({order_binding.remote_state_label})"]
    # the customer's page says where it lives in the ERP
    client = shop.test_client()
    login(client, "s1")
    company_id = bindings["contacts.company"].record_id
    page = client.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    panel = page.split('id="external-bindings"', 1)[1].split("</ul>", 1)[0]
    assert "odoo" in panel and f'<span class="external-ref">{remote["partner_id"]}</span>' in panel


def test_unreachable_then_503_then_back_syncs_each_order_once(shop, odoo_server, proxy_to,
                                                             caplog):
    add_user(shop, "admin-hub", ["Admin"])
    proxy = proxy_to(odoo_server)
    proxy.set_mode("refuse")
    _backend(shop, proxy.url)
    orders = [_confirmed_order(shop) for _ in range(3)]
    caplog.set_level("INFO", logger="connectors.hub")
    _start(shop)
    try:
        _wait(lambda: _jobs(shop)[0].attempts >= 2, what="retries while refused")
        first, *others = _jobs(shop)
        assert first.state in ("queued", "running") and "cannot connect" in first.last_error
        # orders of one customer go one after another: the others wait, untried
        assert [(j.state, j.attempts) for j in others] == [("queued", 0), ("queued", 0)]
        # and say so, in words that do not repeat themselves (issue 12)
        for order_id, _ in orders[1:]:
            assert _erp_status(shop, order_id) == [
                f"odoo: not sent yet (waiting for {orders[0][1]}, an earlier order of the "
                "same customer)"]
        _wait(lambda: _jobs(shop)[0].state == "queued", what="first one between attempts")
        [waiting] = _erp_status(shop, orders[0][0])
        assert waiting.startswith("odoo: not sent yet (attempt ") and " failed: " in waiting
        assert "cannot connect" in waiting and "next try " in waiting and "UTC" in waiting
        assert "retrying after" not in waiting and waiting.count("attempt") == 1
        client = shop.test_client()
        login(client, "admin-hub")
        data = client.get("/hub/dashboard/data").get_json()
        [odoo] = data["per_backend"]
        unfinished = odoo["states"]["pending"] + odoo["states"]["queued"] + odoo["states"]["running"]
        assert unfinished == 3 and data["backlog"]["total"] >= 2  # the first may be running
        assert data["backlog"]["oldest_age_seconds"] > 0
        proxy.set_mode("503", retry_after=1)
        _wait(lambda: any("503" in (j.last_error or "") for j in _jobs(shop)), what="503 seen")
        proxy.set_mode("pass")
        _wait(lambda: all(j.state == "done" for j in _jobs(shop)), timeout=30,
              what=lambda: f"all done: {[(j.state, j.attempts, j.last_error) for j in _jobs(shop)]}")
    finally:
        _stop(shop)
    for _, number in orders:
        assert odoo_server.app.orders_with_reference(number) == 1
    # the outage is in the log, one line per retry with job, record and reason...
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("hub: retry")]
    first_job = _jobs(shop)[0]
    assert len(retries) >= 3 and all("sales.order.push sales.order:" in r for r in retries)
    assert any(f"job #{first_job.id} " in r and "cannot connect" in r for r in retries)
    assert any("503" in r for r in retries)
    # ...and counted in /metrics
    metrics = client.get("/metrics").get_data(as_text=True)
    counted = float(metrics.split('crossdock_hub_events_total{backend="odoo",event="retry"} ')[1]
                    .split()[0])
    assert counted == len(retries)


def _company(app, name, tax_id=None, email=None):
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.models.contact_email import ContactEmail

        owner_id = db.session.scalars(select(Company.owner_id)).first()
        company = Company(name=name, owner_id=owner_id, tax_id=tax_id)
        if email:
            company.emails.append(ContactEmail(kind="work", email=email))
        db.session.add(company)
        db.session.commit()
        return company.id


def _bound(app, model="contacts.company"):
    with app.app_context():
        from connectors.hub.models import Binding

        return dict(db.session.execute(select(Binding.record_id, Binding.external_id).where(
            Binding.model == model)).all())


def _run_until(app, predicate, what, threads=2):
    _start(app, threads)
    try:
        _wait(predicate, what=what)
    finally:
        _stop(app)


def test_companies_sharing_an_email_get_their_own_partners(shop, odoo_server):
    """Issue 12: two companies share info@...; each order is booked under its own
    partner (the second one is not matched by the first one's e-mail)."""
    _backend(shop, odoo_server.url)
    hangzhou = _company(shop, "杭州东方食品有限公司", "91330100MA2B00007T", "info@dongfang.example.com")
    beijing = _company(shop, "北京东方食品有限公司", "91110105MA01000152", "info@dongfang.example.com")
    first_id, first_number = _confirmed_order(shop, customer="杭州东方食品有限公司")
    _run_until(shop, lambda: _jobs(shop, first_id)[0].state == "done", "first order synced")
    second_id, second_number = _confirmed_order(shop, customer="北京东方食品有限公司")
    _run_until(shop, lambda: _jobs(shop, second_id)[0].state == "done",
               lambda: f"second order synced: {_jobs(shop, second_id)}")
    bound = _bound(shop)
    assert bound[hangzhou] != bound[beijing]
    partners = odoo_server.app.records["res.partner"]
    for number, company, tax_id in ((first_number, hangzhou, "91330100MA2B00007T"),
                                    (second_number, beijing, "91110105MA01000152")):
        order = odoo_server.app.order_by_reference(number)
        assert order["partner_id"] == int(bound[company])
        partner = partners[order["partner_id"]]
        assert (partner["ref"], partner["vat"]) == (f"CD-COMPANY-{company}", tax_id)
    assert "not matched" in _jobs(shop, second_id)[0].result


def test_a_duplicate_customer_stops_before_the_erp_and_a_person_creates_a_new_one(
        shop, odoo_server):
    """A duplicate of ours (same tax id) would match the partner bound to the
    first one: the job stops before anything is created, the order page names
    both and offers merge or a new partner; the new one is made on request."""
    _backend(shop, odoo_server.url)
    add_user(shop, "admin-hub", ["Admin"])
    first_id, _ = _confirmed_order(shop)
    _run_until(shop, lambda: _jobs(shop, first_id)[0].state == "done", "first job done")
    original_id = next(iter(_bound(shop)))
    with shop.app_context():
        from addons.contacts.models import Company
        tax_id = db.session.get(Company, original_id).tax_id
    twin_id = _company(shop, "华东物流 (duplicate)", tax_id)
    twin_order, twin_number = _confirmed_order(shop, customer="华东物流 (duplicate)")
    partners_before = odoo_server.app.count("res.partner")
    _run_until(shop, lambda: _jobs(shop, twin_order)[0].state == "failed",
               lambda: f"twin job failed: {_jobs(shop, twin_order)}")
    [job] = _jobs(shop, twin_order)
    assert f"customer CD-COMPANY-{twin_id}" in job.last_error and "Nothing was created" in job.last_error
    assert f"bound to our contacts.company {original_id}" in job.last_error
    assert odoo_server.app.orders_with_reference(twin_number) == 0
    assert odoo_server.app.count("res.partner") == partners_before
    assert job.problem["reason"] == "taken" and job.problem["record_id"] == twin_id

    client = shop.test_client()
    token = login(client, "admin-hub")
    page = client.get(f"/orderview/show/{twin_order}").get_data(as_text=True)
    problem = page.split('class="hub-problem"', 1)[1].split("</div>", 1)[0]
    assert f"contacts.company {original_id}" in problem and "hub-create-new" in problem
    assert "hub-bind" not in problem  # the only candidate is another record's
    assert f"/contacts/merge/company/?ids={twin_id},{original_id}" in problem
    response = client.post(f"/hub/jobs/{job.id}/resolve", data={
        "csrf_token": token, "action": "new", "next": f"/orderview/show/{twin_order}"})
    assert response.status_code == 302 and response.location.endswith(f"/orderview/show/{twin_order}")
    _run_until(shop, lambda: _jobs(shop, twin_order)[0].state == "done",
               lambda: f"twin job done: {_jobs(shop, twin_order)}")
    bound = _bound(shop)
    assert bound[twin_id] != bound[original_id]
    order = odoo_server.app.order_by_reference(twin_number)
    assert order["partner_id"] == int(bound[twin_id])
    assert odoo_server.app.records["res.partner"][order["partner_id"]]["ref"] == (
        f"CD-COMPANY-{twin_id}")


def test_an_ambiguous_partner_is_bound_by_a_person(shop, odoo_server):
    _backend(shop, odoo_server.url)
    add_user(shop, "admin-hub", ["Admin"])
    vat = "91310000MA1FL0T10B"
    twins = [odoo_server.app.add_partner(name=f"Twin {n}", vat=vat) for n in "AB"]
    company = _company(shop, "双胞胎贸易", vat)
    order_id, number = _confirmed_order(shop, customer="双胞胎贸易")
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "failed", "ambiguous job failed")
    [job] = _jobs(shop, order_id)
    assert "2 remote customers have tax id" in job.last_error
    assert odoo_server.app.orders_with_reference(number) == 0
    client = shop.test_client()
    token = login(client, "admin-hub")
    page = client.get(f"/hub/jobs/{job.id}").get_data(as_text=True)
    assert page.count('class="btn btn-xs btn-default hub-bind"') == 2
    refused = client.post(f"/hub/jobs/{job.id}/resolve", data={
        "csrf_token": token, "action": "bind", "external_id": "999999"})
    assert refused.status_code == 302 and _jobs(shop, order_id)[0].state == "failed"
    client.post(f"/hub/jobs/{job.id}/resolve", data={
        "csrf_token": token, "action": "bind", "external_id": str(twins[1])})
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "done", "bound job done")
    assert _bound(shop)[company] == str(twins[1])
    assert odoo_server.app.order_by_reference(number)["partner_id"] == twins[1]
    with shop.app_context():
        from core.security.audit import AuditLog
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "hub_bind")) == 1


def test_an_order_found_under_another_customers_partner_is_taken_back(shop, odoo_server):
    """The issue's live wrong sale: the ERP holds our order under the partner of
    another of our customers (booked so before this fix). The push finds it by
    reference, cannot bind its customer, cancels and deletes it in the ERP and
    says so; the retry books it under the right customer."""
    _backend(shop, odoo_server.url)
    hangzhou = _company(shop, "杭州东方食品有限公司", "91330100MA2B00007T", "info@dongfang.example.com")
    first_id, _ = _confirmed_order(shop, customer="杭州东方食品有限公司")
    _run_until(shop, lambda: _jobs(shop, first_id)[0].state == "done", "first order synced")
    wrong_partner = int(_bound(shop)[hangzhou])
    beijing = _company(shop, "北京东方食品有限公司", "91110105MA01000152", "info@dongfang.example.com")
    order_id, number = _confirmed_order(shop, customer="北京东方食品有限公司")
    chair = odoo_server.app.records["product.product"]
    chair_id = next(i for i, p in chair.items() if p["default_code"] == "CD-CHAIR")
    with odoo_server.app._lock:
        wrong = odoo_server.app._create("sale.order", {
            "partner_id": wrong_partner, "client_order_ref": number,
            "order_line": [[0, 0, {"product_id": chair_id, "product_uom_qty": 2}]]})
        odoo_server.app.records["sale.order"][wrong]["state"] = "sale"
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "failed",
               lambda: f"job failed: {_jobs(shop, order_id)}")
    [job] = _jobs(shop, order_id)
    assert f"already bound to our contacts.company {hangzhou}" in job.last_error
    assert "was taken back" in job.last_error and "deleted in Odoo" in job.last_error
    assert odoo_server.app.orders_with_reference(number) == 0  # no wrong sale stays live
    assert job.problem["kind"] == "binding_conflict" and job.problem["undone"] is True
    assert beijing not in _bound(shop)
    statuses = _erp_status(shop, order_id)
    assert statuses[0].startswith("odoo: sync failed") and "taken back" in statuses[0]
    with shop.app_context():
        from connectors.hub import operations
        operations.retry(db.session, shop.extensions["hub"], job.id)
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "done", "retried job done")
    order = odoo_server.app.order_by_reference(number)
    assert order["partner_id"] == int(_bound(shop)[beijing]) != wrong_partner


def test_unknown_product_fails_with_the_reason_and_retry_after_the_fix(shop, odoo_server):
    _backend(shop, odoo_server.url)
    good_id, good_number = _confirmed_order(shop)
    bad_id, bad_number = _confirmed_order(shop, lines=(("CD-CHAIR", "1"), ("NOT-IN-ERP", "3")))
    _start(shop)
    try:
        _wait(lambda: {j.state for j in _jobs(shop)} == {"done", "failed"}, what="outcomes")
        [failed] = [j for j in _jobs(shop) if j.state == "failed"]
        assert failed.record_id == bad_id and "NOT-IN-ERP" in failed.last_error
        assert odoo_server.app.orders_with_reference(bad_number) == 0
        assert any("sync failed" in t and "NOT-IN-ERP" in t for t in _erp_status(shop, bad_id))
        with shop.app_context():  # the fix: the backend maps our code to the ERP's
            from connectors.hub import operations
            from connectors.hub.backends import save_backend
            from connectors.hub.models import Backend

            backend = db.session.get(Backend, failed.backend_id)
            save_backend(db.session, backend, name=backend.name, kind=backend.kind,
                         url=backend.url, database=backend.database or "",
                         username=backend.username or "",
                         options_json='{"product_codes": {"NOT-IN-ERP": "CD-LAMP"}}')
            db.session.commit()
            operations.retry(db.session, shop.extensions["hub"], failed.id)
        _wait(lambda: _jobs(shop, bad_id)[0].state == "done", what="retried job done")
    finally:
        _stop(shop)
    assert odoo_server.app.orders_with_reference(bad_number) == 1
    products = odoo_server.app.records["product.product"]
    codes = sorted(products[line["product_id"]]["default_code"]
                   for line in odoo_server.app.order_by_reference(bad_number)["lines"])
    assert codes == ["CD-CHAIR", "CD-LAMP"]
    assert odoo_server.app.orders_with_reference(good_number) == 1
    with shop.app_context():
        from core.security.audit import AuditLog
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "hub_retry")) == 1


def test_taxes_reach_the_erp_mapped_per_backend_and_an_unknown_one_is_named(shop, odoo_server):
    """Issue 12: taxes were not sent. Each line goes with its tax (our name, or
    the backend's tax_codes mapping); a tax the ERP lacks fails the job by name
    and nothing is created; after mapping it, the ERP's totals are ours."""
    backend_id = _backend(shop, odoo_server.url)
    with shop.app_context():
        from addons.sales.models import Currency, Product, Tax

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat17 = Tax(name="VAT 17%", rate=Decimal("17"), price_include=False)
        incl = Tax(name="VAT 13% incl.", rate=Decimal("13"), price_include=True)
        db.session.add_all([vat17, incl])
        db.session.add(Product(code="CD-LAMP", name="Lamp", list_price=Decimal("22.59"),
                               currency=cny, tax=incl, active=True))
        db.session.add(Product(code="CD-DESK-EU", name="Desk", list_price=Decimal("0.0050"),
                               currency=cny, tax=vat17, active=True))
        db.session.commit()
    odoo_server.app.add_product("CD-DESK-EU", "0.0050")
    order_id, number = _confirmed_order(shop, lines=(("CD-CHAIR", "2"), ("CD-LAMP", "3"),
                                                     ("CD-DESK-EU", "5")))
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "failed", "unknown tax fails")
    [job] = _jobs(shop, order_id)
    assert "no sales tax named 'VAT 17%' for our VAT 17% (17%)" in job.last_error
    assert odoo_server.app.orders_with_reference(number) == 0
    odoo_server.app.add_tax("IVA 17%", 17)
    with shop.app_context():
        from connectors.hub import operations
        from connectors.hub.backends import save_backend
        from connectors.hub.models import Backend

        backend = db.session.get(Backend, backend_id)
        save_backend(db.session, backend, name=backend.name, kind=backend.kind, url=backend.url,
                     database=backend.database or "", username=backend.username or "",
                     options_json='{"tax_codes": {"VAT 17%": "IVA 17%"}}')
        db.session.commit()
        operations.retry(db.session, shop.extensions["hub"], job.id)
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "done", "mapped tax done")
    remote = odoo_server.app.order_by_reference(number)
    taxes = odoo_server.app.records["account.tax"]
    with shop.app_context():
        from addons.sales.models import SalesOrder

        ours = db.session.get(SalesOrder, order_id)
        assert (remote["amount_untaxed"], remote["amount_tax"], remote["amount_total"]) == (
            ours.amount_untaxed, ours.amount_tax, ours.amount_total)
        assert sorted((taxes[line["tax_ids"][0]]["name"], line["price_subtotal"],
                       line["price_tax"]) for line in remote["lines"]) == sorted(
            ({"VAT 17%": "IVA 17%"}.get(l.tax.name, l.tax.name), l.amount_untaxed, l.amount_tax)
            for l in ours.lines)


def test_totals_are_read_back_and_a_difference_is_shown_not_silent(shop, fresh_tryton):
    """Issue 12: a push reported success although Tryton's totals were not ours.
    Against a real Tryton: 5 x 0.0050 arrives with our amounts (unit price fitted
    to Tryton's half-even rounding); 100 x 0.0050 at 13% cannot (tax 0.065: 0.07
    here, 0.06 there): its order shows "totals differ" with both figures, the
    dashboard lists it (filter: totals differ), /metrics counts it, and
    `crossdock sales erp-check` finds the same."""
    add_user(shop, "admin-hub", ["Admin"])
    add_user(shop, "fin", ["Finance"])
    with shop.app_context():
        from addons.sales.models import Currency, Product, Tax
        from connectors.hub.backends import save_backend

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        db.session.add(Product(code="TEST-A", name="Test A", list_price=Decimal("0.0050"),
                               currency=cny, tax=vat13, active=True))
        save_backend(db.session, None, name="tryton", kind="tryton", url=fresh_tryton.url,
                     database=fresh_tryton.database, username=fresh_tryton.username,
                     secret=fresh_tryton.password)
        db.session.commit()
    kept_id, kept = _confirmed_order(shop, lines=(("TEST-A", "5"), ("TEST-A", "25")))
    differs_id, differs = _confirmed_order(shop, lines=(("TEST-A", "100"),))
    _run_until(shop, lambda: {j.state for j in _jobs(shop)} == {"done"},
               lambda: f"both synced: {_jobs(shop)}")
    sales = {s["reference"]: s for s in fresh_tryton.search_read(
        "sale.sale", [("reference", "in", [kept, differs])],
        ["reference", "number", "untaxed_amount", "tax_amount", "total_amount"])}
    with shop.app_context():
        from addons.sales.models import SalesOrder

        ours = {o.number: (o.amount_untaxed, o.amount_tax, o.amount_total)
                for o in db.session.scalars(select(SalesOrder))}
    assert (sales[kept]["untaxed_amount"], sales[kept]["tax_amount"],
            sales[kept]["total_amount"]) == ours[kept] == (
        Decimal("0.16"), Decimal("0.02"), Decimal("0.18"))
    assert (sales[differs]["untaxed_amount"], sales[differs]["tax_amount"],
            sales[differs]["total_amount"]) == (Decimal("0.50"), Decimal("0.06"), Decimal("0.56"))
    assert ours[differs] == (Decimal("0.50"), Decimal("0.07"), Decimal("0.57"))

    [kept_status] = _erp_status(shop, kept_id)
    assert kept_status == f"tryton: {sales[kept]['number']} (confirmed)"
    [status] = _erp_status(shop, differs_id)
    assert status == (f"tryton: {sales[differs]['number']} (confirmed); totals differ: ours "
                      "untaxed 0.50, tax 0.07, total 0.57; tryton 0.50, 0.06, 0.56 CNY")
    assert "totals differ" in _jobs(shop, differs_id)[0].result

    client = shop.test_client()
    login(client, "fin")  # Finance reads the dashboard
    data = client.get("/hub/dashboard/data?attention=totals_differ").get_json()
    [flagged] = data["attention"]
    assert (flagged["details"]["reference"], flagged["details"]["ours"],
            flagged["details"]["remote"]) == (
        differs, {"untaxed": "0.50", "tax": "0.07", "total": "0.57"},
        {"untaxed": "0.50", "tax": "0.06", "total": "0.56"})
    page = client.get("/hub/dashboard/?attention=totals_differ").get_data(as_text=True)
    row = page.split('id="attention-table"', 1)[1].split("</table>", 1)[0]
    assert differs in row and kept not in row and "total 0.57" in row and "total 0.56" in row
    order_page = client.get(f"/orderview/show/{differs_id}").get_data(as_text=True)
    assert "totals differ: ours untaxed 0.50" in order_page
    admin = shop.test_client()
    login(admin, "admin-hub")
    assert ('crossdock_hub_bindings_attention{backend="tryton",reason="totals_differ"} 1.0'
            in admin.get("/metrics").get_data(as_text=True))

    from click.testing import CliRunner
    from addons.sales.services.erp.totals_check import erp_check_command

    with shop.app_context():
        result = CliRunner().invoke(erp_check_command, [])
        db.session.remove()
    assert result.exit_code == 1, result.output
    assert "tryton: 2 orders checked, 1 match to the cent, 1 differ" in result.output
    assert f"{differs}: tryton: totals differ" in result.output


def test_duplicate_delivery_and_a_lost_lease_create_no_second_remote_order(shop, odoo_server):
    _backend(shop, odoo_server.url)
    order_id, number = _confirmed_order(shop)
    [job] = _jobs(shop, order_id)
    runtime = shop.extensions["hub"]
    for _ in range(3):  # the same message delivered three times
        runtime.send(job.id)
    _start(shop)
    try:
        _wait(lambda: _jobs(shop, order_id)[0].state == "done", what="done")
        runtime.broker.join("crossdock_hub")
    finally:
        _stop(shop)
    assert odoo_server.app.orders_with_reference(number) == 1
    assert _jobs(shop, order_id)[0].attempts == 1
    # a worker died after the remote create, before recording it: the lease expires,
    # the sweeper sends the job again, and the retry finds the order by our reference
    with shop.app_context():
        from sqlalchemy import delete, update
        from connectors.hub.models import Binding, SyncJob, utcnow
        from connectors.hub.sweeper import sweep

        db.session.execute(update(SyncJob).where(SyncJob.id == job.id).values(
            state="running", lease_token="dead-worker", finished_at=None,
            lease_expires_at=utcnow() - dt.timedelta(minutes=5)))
        db.session.execute(delete(Binding))
        db.session.commit()
        assert sweep(db.session, runtime)["expired"] == 1
        from connectors.hub.job_events import totals
        assert ("lease_expired", job.backend_id, 1) in totals(db.session)
    _start(shop)
    try:
        _wait(lambda: _jobs(shop, order_id)[0].state == "done", what="re-run done")
    finally:
        _stop(shop)
    assert odoo_server.app.orders_with_reference(number) == 1
    assert _erp_status(shop, order_id)[0].startswith("odoo: ")


def _order(app, order_id):
    with app.app_context():
        from addons.sales.models import SalesOrder

        order = db.session.get(SalesOrder, order_id)
        snapshot = {k: getattr(order, k) for k in (
            "state", "cancel_status", "cancel_refusal", "cancel_reason", "cancelled_at",
            "cancelled_by_id", "cancel_requested_by_id")}
        db.session.remove()
        return snapshot


def _cancel(app, order_id, reason="customer withdrew", username=None):
    with app.app_context():
        from addons.sales.models import SalesOrder
        from addons.sales.services.orders import order_states
        from core.security.actor import Actor, acting_as
        from flask_appbuilder.security.sqla.models import User

        actor = db.session.scalars(select(User).filter_by(username=username)).one() \
            if username else None
        with acting_as(Actor(actor.id, actor.username, frozenset(r.name for r in actor.roles))
                       if actor else Actor(None, "test", is_system=True)):
            order_states.cancel(db.session, db.session.get(SalesOrder, order_id), reason)
            db.session.commit()


def test_cancel_before_the_push_sends_nothing_and_cancels_at_once_after(shop, odoo_server):
    """Cancelled while its push still waits: a request (the push may already be
    under way); the push only looks our reference up and sends nothing, the
    cancel finds nothing there, and the order is cancelled."""
    _backend(shop, odoo_server.url)
    order_id, number = _confirmed_order(shop)
    _cancel(shop, order_id)
    assert _order(shop, order_id)["state"] == "confirmed"
    assert _order(shop, order_id)["cancel_status"] == "pending"
    push, cancel = _jobs(shop, order_id)
    assert (push.kind, cancel.kind) == ("sales.order.push", "sales.order.cancel")
    _run_until(shop, lambda: all(j.state == "done" for j in _jobs(shop, order_id)), "both done",
               threads=4)
    push, cancel = _jobs(shop, order_id)
    assert "requested before it reached the ERP; nothing sent" in push.result
    assert "not in this ERP; nothing to cancel" in cancel.result
    assert odoo_server.app.orders_with_reference(number) == 0
    order = _order(shop, order_id)
    assert (order["state"], order["cancel_status"], order["cancel_reason"]) == (
        "cancelled", None, "customer withdrew")


def test_a_cancellation_is_a_request_until_the_erp_confirms_or_refuses_it(shop, fresh_tryton):
    """Issue 12: Crossdock marked an order cancelled at once while Tryton, which
    already processed it, refused. Against a real Tryton: a synced order's
    cancellation is pending until Tryton cancelled it (then cancelled, by whom
    asked), or back to confirmed with Tryton's reason; Finance's list shows the
    pending and refused ones; asking again sends the refused cancel again."""
    add_user(shop, "fin", ["Finance"])
    with shop.app_context():
        from addons.sales.models import Currency, Product, Tax
        from connectors.hub.backends import save_backend

        cny = db.session.scalars(select(Currency).filter_by(code="CNY")).one()
        vat13 = db.session.scalars(select(Tax).filter_by(name="VAT 13%")).one()
        db.session.add(Product(code="TEST-A", name="Test A", list_price=Decimal("10.00"),
                               currency=cny, tax=vat13, active=True))
        save_backend(db.session, None, name="tryton", kind="tryton", url=fresh_tryton.url,
                     database=fresh_tryton.database, username=fresh_tryton.username,
                     secret=fresh_tryton.password)
        db.session.commit()
    free_id, free = _confirmed_order(shop, lines=(("TEST-A", "2"),))
    shipped_id, shipped = _confirmed_order(shop, lines=(("TEST-A", "3"),))
    _run_until(shop, lambda: {j.state for j in _jobs(shop)} == {"done"}, "both pushed")
    sale = {s["reference"]: s for s in fresh_tryton.search_read(
        "sale.sale", [("reference", "in", [free, shipped])], ["reference", "number"])}
    fresh_tryton.rpc("model.sale.sale.process", [sale[shipped]["id"]])  # shipping started

    _cancel(shop, free_id, "duplicate order", username="s1")
    _cancel(shop, shipped_id, "customer withdrew", username="s1")
    for order_id in (free_id, shipped_id):  # nothing is cancelled until Tryton says so
        assert _order(shop, order_id)["state"] == "confirmed"
        assert _order(shop, order_id)["cancel_status"] == "pending"
    assert _erp_status(shop, free_id) == ["tryton: cancellation pending"]
    finance = shop.test_client()
    login(finance, "fin")
    listing = finance.get("/cancellationview/list/").get_data(as_text=True)
    assert free in listing and shipped in listing
    assert listing.count('class="label label-warning order-cancel-status" data-status="pending"') == 2
    page = finance.get(f"/orderview/show/{free_id}").get_data(as_text=True)
    assert "Cancellation requested by" in page and "duplicate order" in page
    assert "Cancelled at" not in page  # not cancelled: no "Cancelled at None"

    _run_until(shop, lambda: {j.state for j in _jobs(shop) if j.kind.endswith("cancel")}
               == {"done", "failed"}, lambda: f"cancels answered: {_jobs(shop)}")
    states = {s["reference"]: s["state"] for s in fresh_tryton.search_read(
        "sale.sale", [("reference", "in", [free, shipped])], ["reference", "state"])}
    assert states == {free: "cancelled", shipped: "processing"}  # in step with ours:
    with shop.app_context():
        from flask_appbuilder.security.sqla.models import User
        manager_id = db.session.scalars(select(User.id).filter_by(username="s1")).one()
    cancelled = _order(shop, free_id)
    assert (cancelled["state"], cancelled["cancel_status"], cancelled["cancelled_by_id"]) == (
        "cancelled", None, manager_id) and cancelled["cancelled_at"] is not None
    refused = _order(shop, shipped_id)
    assert (refused["state"], refused["cancel_status"]) == ("confirmed", "refused")
    assert refused["cancel_refusal"].startswith("tryton: ") and (
        "cancel its shipment and invoice there first" in refused["cancel_refusal"])
    [status] = _erp_status(shop, shipped_id)
    assert status.startswith("tryton: cancellation refused: ") and "sync failed" not in status
    listing = finance.get("/cancellationview/list/").get_data(as_text=True)
    assert shipped in listing and free not in listing
    assert 'data-status="refused"' in listing
    page = finance.get(f"/orderview/show/{shipped_id}").get_data(as_text=True)
    assert "The ERP refused the cancellation" in page and "Cancelled at" not in page

    _cancel(shop, shipped_id, "asked again", username="s1")  # the refused job runs again
    assert _order(shop, shipped_id)["cancel_status"] == "pending"
    _run_until(shop, lambda: _order(shop, shipped_id)["cancel_status"] == "refused",
               "refused again")
    [cancel_job] = [j for j in _jobs(shop, shipped_id) if j.kind.endswith("cancel")]
    assert cancel_job.attempts == 2 and cancel_job.state == "failed"


def test_a_refused_cancellation_in_odoo_keeps_the_order_confirmed(shop, odoo_server):
    _backend(shop, odoo_server.url)
    order_id, number = _confirmed_order(shop)
    _run_until(shop, lambda: _jobs(shop, order_id)[0].state == "done", "pushed")
    odoo_server.app.set_delivered(number)  # the warehouse delivered: Odoo locks it
    _cancel(shop, order_id)
    _run_until(shop, lambda: _order(shop, order_id)["cancel_status"] == "refused", "refused")
    order = _order(shop, order_id)
    assert order["state"] == "confirmed" and "locked order" in order["cancel_refusal"]
    assert odoo_server.app.order_by_reference(number)["state"] == "sale"


def test_a_dead_process_claims_are_taken_back_at_once_not_after_the_lease(shop, odoo_server,
                                                                         caplog):
    """A job claimed by a process of this host that is gone (a killed
    `crossdock run`) goes back to the queue at the next sweep, long before its
    lease (120 s) ends, and runs after the recovery grace (the remote call it
    had in flight may still commit); one claimed by a live process stays,
    whatever its age."""
    _backend(shop, odoo_server.url)
    dead_id, dead_number = _confirmed_order(shop)
    _company(shop, "第二客户 Second Customer")
    live_id, _ = _confirmed_order(shop, customer="第二客户 Second Customer")
    with shop.app_context():
        from sqlalchemy import update
        from connectors.hub.models import SyncJob, utcnow
        from connectors.hub.process_identity import HOST, this_process
        from connectors.hub.sweeper import sweep

        dead_job, live_job = (_jobs(shop, i)[0].id for i in (dead_id, live_id))
        for job_id, holder in ((dead_job, f"{HOST}:999999:12345"), (live_job, this_process())):
            db.session.execute(update(SyncJob).where(SyncJob.id == job_id).values(
                state="running", lease_token=f"claim-{job_id}", lease_holder=holder,
                attempts=1, lease_expires_at=utcnow() + dt.timedelta(seconds=120)))
        db.session.commit()
        caplog.set_level("INFO", logger="connectors.hub")
        swept_at = utcnow()
        assert sweep(db.session, shop.extensions["hub"]) == {
            "expired": 0, "resent": 0, "recovered": 1}
        db.session.remove()
    states = {j.id: (j.state, j.next_attempt_at) for j in _jobs(shop)}
    assert states[dead_job][0] == "queued" and states[live_job][0] == "running"
    assert states[dead_job][1] >= swept_at + dt.timedelta(seconds=1.5)  # the grace
    [line] = [r.getMessage() for r in caplog.records if "recovered" in r.getMessage()]
    assert (f"job #{dead_job} sales.order.push sales.order:{dead_id}" in line
            and f"its worker process {HOST}:999999:12345 is gone; runs again in 1.5 s" in line)
    with shop.app_context():
        from sqlalchemy import update
        from connectors.hub.models import SyncJob

        db.session.execute(update(SyncJob).where(SyncJob.id == live_job).values(
            state="queued", lease_token=None, lease_holder=None, lease_expires_at=None))
        db.session.commit()
    _run_until(shop, lambda: {j.state for j in _jobs(shop)} == {"done"}, "both done")
    assert odoo_server.app.orders_with_reference(dead_number) == 1


def test_one_scheduler_is_elected(shop):
    from connectors.hub.scheduler import Scheduler

    runtime = shop.extensions["hub"]
    first, second = Scheduler(runtime, "one"), Scheduler(runtime, "two")
    assert first.tick() is not None  # elected: it swept
    assert second.tick() is None  # standby while the first renews
    with shop.app_context():
        from connectors.hub.models import SchedulerLease

        held_until = db.session.get(SchedulerLease, "scheduler").expires_at
        db.session.remove()
    assert first.tick() is not None
    with shop.app_context():  # a fresh lease is not rewritten at every tick
        assert db.session.get(SchedulerLease, "scheduler").expires_at == held_until
        db.session.remove()
    with shop.app_context():
        from sqlalchemy import update
        from connectors.hub.models import SchedulerLease, utcnow

        db.session.execute(update(SchedulerLease).values(  # the first one died
            expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert second.tick() is not None  # took over
    assert first.tick() is None


def test_status_pull_shows_the_erp_delivering_and_invoicing(shop, odoo_server):
    _backend(shop, odoo_server.url)
    order_id, number = _confirmed_order(shop)
    _start(shop)
    try:
        _wait(lambda: _jobs(shop, order_id)[0].state == "done", what="job done")
    finally:
        _stop(shop)
    from connectors.hub.scheduler import Scheduler

    scheduler = Scheduler(shop.extensions["hub"], "puller")
    assert scheduler.tick()["pull"] == {"odoo": 0}  # nothing changed in the ERP yet
    odoo_server.app.set_delivered(number, invoiced=True)  # the warehouse and accounting did
    scheduler._last_pull.clear()  # the next tick pulls again
    assert scheduler.tick()["pull"] == {"odoo": 1}
    with shop.app_context():
        from connectors.hub.models import Binding

        binding = db.session.scalars(select(Binding).filter_by(model="sales.order")).one()
        assert binding.remote_state == "done" and binding.pulled_at is not None
        label = binding.remote_state_label
    remote = odoo_server.app.order_by_reference(number)
    assert _erp_status(shop, order_id) == [f"odoo: {remote['name']} ({label})"]
    scheduler._last_pull.clear()  # a finished order is not asked about again
    assert scheduler.tick()["pull"] == {}


def test_the_pulls_of_an_addon_not_installed_do_not_run(shop):
    """Every importable addon registers its pulls at start; invoicing_link's
    (the ERP's invoices of synced orders) would write to tables that do not
    exist while it is not installed."""
    from connectors.hub import registry
    from connectors.hub.scheduler import Scheduler

    registered = {p.kind for p in registry.pulls()}
    assert {"sales.order.states", "invoicing.erp_invoices"} <= registered
    scheduler = Scheduler(shop.extensions["hub"], "puller")
    with shop.app_context():
        due = {p.kind for p in scheduler._due_pulls(time.monotonic())}
    assert "sales.order.states" in due and "invoicing.erp_invoices" not in due
    install(shop, "invoicing_link")
    with shop.app_context():
        shop.extensions["crossdock"].runtime.gate.refresh(force=True)  # not the 2 s poll
        scheduler._last_pull.clear()
        due = {p.kind for p in scheduler._due_pulls(time.monotonic())}
    assert "invoicing.erp_invoices" in due
