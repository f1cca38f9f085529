"""E-invoices through the hub, the part every channel shares: issuing an
invoice queues the customer's channel once; a document failing the official
rules is `invalid` with its rules shown and never sent; a channel without a
backend is `not_sent` with the reason; Finance's E-invoices list puts what
needs action first; "Send again" makes a new attempt once fixed (POST,
Finance only, audited); the history keeps each step once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.einvoice_documents import ARTEFACTS
from tests.helpers import api_token, csrf_token, install, login
from tests.invoicing_world import as_finance, load, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")


@pytest.fixture
def app(make_app):
    return make_app(en16931_artefacts=str(ARTEFACTS))


def _issue(app, ids):
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        return invoice.id


@pytest.fixture
def peppol_customer(world):  # noqa: F811
    """The world's German customer on the Peppol channel, a seller without a VAT id."""
    app, ids = world
    install(app, "einvoicing")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.einvoicing.models import EinvoiceSeller

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.country_code, customer.tax_id = "DE", "DE136695976"
        customer.street, customer.city, customer.postal_code = "Hauptstr. 1", "Berlin", "10115"
        customer.einvoice_channel = "peppol_ubl"
        customer.einvoice_endpoint, customer.einvoice_endpoint_scheme = "DE136695976", "9930"
        db.session.add(EinvoiceSeller(name="Crossdock GmbH", street="Alexanderplatz 1",
                                      city="Berlin", postal_code="10178", country_code="DE"))
        db.session.commit()
    return app, ids


def _submissions(app, invoice_id):
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSubmission

        return [(s.attempt, s.state, s.state_text, [e.state for e in s.events])
                for s in db.session.scalars(select(EinvoiceSubmission).where(
                    EinvoiceSubmission.invoice_id == invoice_id)
                    .order_by(EinvoiceSubmission.attempt))]


def test_an_invalid_document_is_held_then_sent_again_once_fixed(peppol_customer):
    app, ids = peppol_customer
    invoice_id = _issue(app, ids)
    [(attempt, state, text, steps)] = _submissions(app, invoice_id)
    assert (attempt, state, steps) == (1, "invalid", ["invalid"])
    with app.app_context():
        from connectors.hub.models import SyncJob

        assert not db.session.scalars(select(SyncJob).where(
            SyncJob.kind.like("einvoicing.%"))).all()  # nothing left
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    panel = page.split('id="invoice-einvoice"', 1)[1]
    assert 'data-state="invalid"' in panel and '<td class="einvoice-rule">BR-S-02</td>' in panel
    [sent_file] = [line for line in panel.splitlines() if "einvoice-sent-file" in line]
    href = sent_file.split('href="', 1)[1].split('"', 1)[0]
    kept = finance.get(href)  # the file as built, kept with its verdict
    assert kept.status_code == 200 and b"<cbc:PayableAmount" in kept.data

    seller = app.test_client()  # a salesperson neither lists nor sends e-invoices
    login(seller, "s1")
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSubmission

        first = db.session.scalars(select(EinvoiceSubmission)).one().id
    assert seller.get("/einvoicing/submissions/list/").status_code in (302, 403)
    token = csrf_token(seller.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True))
    assert seller.post(f"/einvoicing/submissions/send_again/{first}",
                       data={"csrf_token": token}).status_code in (302, 403)
    assert finance.get(f"/einvoicing/submissions/send_again/{first}").status_code == 405

    with app.app_context():
        from addons.einvoicing.models import EinvoiceSeller

        db.session.scalars(select(EinvoiceSeller)).one().vat_id = "DE811569869"
        db.session.commit()
    resp = finance.post(f"/einvoicing/submissions/send_again/{first}",
                        data={"csrf_token": _csrf(finance, invoice_id)})
    assert resp.status_code == 302
    second = _submissions(app, invoice_id)[1]
    # valid now; no Peppol access point is configured, so it says so and waits
    assert second[:2] == (2, "not_sent") and "peppol_ap" in second[2]
    again = finance.post(f"/einvoicing/submissions/send_again/{first}",
                         data={"csrf_token": _csrf(finance, invoice_id)})
    assert again.status_code == 302 and len(_submissions(app, invoice_id)) == 2  # not the latest
    api = {"Authorization": f"Bearer {api_token(finance, 'fin')}"}  # REST: the same
    listed = finance.get("/api/v1/einvoice_submission/", headers=api).get_json()
    assert [(r["attempt"], r["state"]) for r in listed["result"]] == [(1, "invalid"),
                                                                      (2, "not_sent")]
    history = finance.get(f"/api/v1/einvoice_submission/{first}/history",
                          headers=api).get_json()["result"]
    assert history["history"][0]["details"]["problems"][0][0] == "BR-S-02"
    refused = finance.post(f"/api/v1/einvoice_submission/{first}/send_again", headers=api)
    assert refused.status_code == 409  # attempt 2 is the latest
    seller_api = {"Authorization": f"Bearer {api_token(seller, 's1')}"}
    assert seller.get("/api/v1/einvoice_submission/", headers=seller_api).status_code == 403
    with app.app_context():
        from core.security.audit import AuditLog

        assert db.session.scalars(select(AuditLog.action).where(
            AuditLog.action == "einvoice_send_again")).all() == ["einvoice_send_again"]


def _csrf(client, invoice_id) -> str:
    return csrf_token(client.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True))


def test_the_list_puts_what_needs_action_first_and_history_keeps_a_step_once(peppol_customer):
    app, ids = peppol_customer
    invoice_id = _issue(app, ids)
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSubmission
        from addons.einvoicing.services.sending import states

        held = db.session.scalars(select(EinvoiceSubmission)).one()
        rows = {}
        for attempt, state in ((2, "delivered"), (3, "rejected"), (4, "accepted"),
                               (5, "failed")):
            row = EinvoiceSubmission(invoice_id=invoice_id, channel="peppol_ubl",
                                     attempt=attempt, state="queued",
                                     file_name=f"INV-{attempt}.xml")
            db.session.add(row)
            db.session.flush()
            states.move(db.session, row, state, f"said {state}", again=True)
            rows[state] = row
        assert states.move(db.session, rows["accepted"], "delivered", "late receipt",
                           message_id="m-1")
        assert not states.move(db.session, rows["accepted"], "delivered", "late receipt",
                               message_id="m-1")  # the same message again: nothing
        db.session.commit()
        assert rows["accepted"].state == "accepted"  # a late receipt does not move it back
        assert [e.state for e in rows["accepted"].events] == ["accepted", "delivered"]
        held_id = held.id
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get("/einvoicing/submissions/list/").get_data(as_text=True)
    # rejected, failed, invalid; then the newest first (accepted was made after delivered)
    assert "INV-4.xml" in page and "INV-2.xml" in page
    assert page.index("INV-3.xml") < page.index("INV-5.xml") \
        < page.index(f"/einvoicing/submissions/show/{held_id}") < page.index("INV-4.xml") \
        < page.index("INV-2.xml")
    zh = finance.get("/einvoicing/submissions/list/", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
    # the list's bulk Send again: only the latest attempt of an invoice goes again
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSubmission

        ids = db.session.scalars(select(EinvoiceSubmission.id)).all()
    token = csrf_token(page)
    resp = finance.post("/einvoicing/submissions/action_post", data={
        "action": "send_all", "rowid": [str(i) for i in ids], "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSubmission

        latest = db.session.scalars(select(EinvoiceSubmission)
                                    .order_by(EinvoiceSubmission.attempt.desc())).first()
        # attempt 5 (failed) was the latest: attempt 6, still invalid (no seller VAT id)
        assert (latest.attempt, latest.state) == (6, "invalid")
        assert db.session.scalar(select(func.count()).select_from(EinvoiceSubmission)) == 6


def test_an_e_invoice_that_cannot_be_built_never_stops_the_invoice(peppol_customer,
                                                                   monkeypatch, tmp_path):
    """The PDF font gone (a broken installation): the invoice is issued all the
    same, its Factur-X waits as not sent, saying why."""
    from addons.einvoicing.services import einvoice_files

    app, ids = peppol_customer
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail
        from addons.einvoicing.models import EinvoiceSeller

        db.session.scalars(select(EinvoiceSeller)).one().vat_id = "DE811569869"
        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.einvoice_channel = "facturx"
        customer.emails.append(ContactEmail(kind="work", email="rechnung@kunde.example"))
        db.session.commit()
    monkeypatch.setattr(einvoice_files, "cjk_font", lambda settings: tmp_path / "gone.ttf")
    invoice_id = _issue(app, ids)
    [(attempt, state, text, steps)] = _submissions(app, invoice_id)
    assert (attempt, state, steps) == (1, "not_sent", ["not_sent"])
    assert "gone.ttf" in text
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        assert db.session.get(Invoice, invoice_id).state == "issued"


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_send_again_requests_at_once_make_one_attempt_and_a_409(peppol_customer,
                                                                     database_url):
    """Two REST calls of send_again racing: both read attempt 1 as the latest,
    the other request commits attempt 2 while this one is about to write its
    own. The unique attempt refuses the second: 409, one attempt 2, not a 500."""
    from sqlalchemy import create_engine, event, text
    from sqlalchemy.orm import Session

    from addons.einvoicing.models import EinvoiceSubmission

    app, ids = peppol_customer
    invoice_id = _issue(app, ids)  # attempt 1 is invalid: it may be sent again
    other, raced_once = create_engine(database_url), []

    def the_other_request_commits_first(session, _context, _instances):
        if raced_once or not any(isinstance(o, EinvoiceSubmission) for o in session.new):
            return
        raced_once.append(True)
        with other.begin() as conn:
            conn.execute(text(
                "INSERT INTO einvoicing_submission (invoice_id, channel, attempt, state, "
                "created_at, updated_at) VALUES (:invoice, 'peppol_ubl', 2, 'not_sent', "
                "now(), now())"), {"invoice": invoice_id})

    finance = app.test_client()
    api = {"Authorization": f"Bearer {api_token(finance, 'fin')}"}
    with app.app_context():
        first = db.session.scalars(select(EinvoiceSubmission.id)).one()
    event.listen(Session, "before_flush", the_other_request_commits_first)
    try:
        raced = finance.post(f"/api/v1/einvoice_submission/{first}/send_again", headers=api)
    finally:
        event.remove(Session, "before_flush", the_other_request_commits_first)
        other.dispose()
    assert raced.status_code == 409, raced.get_data(as_text=True)
    assert [(a, s) for a, s, _t, _e in _submissions(app, invoice_id)] == [
        (1, "invalid"), (2, "not_sent")]
