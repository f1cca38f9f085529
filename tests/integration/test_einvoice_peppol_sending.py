"""E-invoices through a Peppol access point (a Storecove stand-in over HTTP):
a German customer's issued invoice leaves as our UBL to its Peppol id, or
as our Factur-X PDF by e-mail, and the access point's evidence brings it to
`delivered`; a lost answer is retried into one submission; the access
point's refusal fails it in its words; an invalid file never leaves."""
from __future__ import annotations

import io
import json

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select

from core.db import db
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.peppol_ap_double import StorecoveDouble
from tests.einvoice_documents import ARTEFACTS
from tests.helpers import install
from tests.invoicing_world import as_finance, jobs_run_out, load, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
CII = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
       "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
LEITWEG = "991-33333TEST-33"  # the buyer's Peppol participant id (scheme 0204, DE:LWID)


@pytest.fixture
def app(make_app):
    app = make_app(en16931_artefacts=str(ARTEFACTS), hub_lease_seconds=5,
                   hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)
    yield app
    app.extensions["hub"].stop()


@pytest.fixture
def storecove():
    server = JsonHttpServer(StorecoveDouble()).start()
    yield server
    server.stop()


def _issue(world, storecove, channel: str, *, email: str | None = None):  # noqa: F811
    """The world's order (230.12) issued to a German company whose channel is
    `channel`, with a seller and an active Storecove backend: the submission."""
    app, ids = world
    install(app, "einvoicing")
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail
        from addons.einvoicing.models import EinvoiceSeller
        from connectors.hub.backends import save_backend

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.country_code, customer.tax_id = "DE", "DE136695976"
        customer.street, customer.city, customer.postal_code = "Hauptstr. 1", "Berlin", "10115"
        customer.einvoice_channel = channel
        customer.einvoice_endpoint, customer.einvoice_endpoint_scheme = LEITWEG, "0204"
        if email:
            customer.emails.append(ContactEmail(kind="work", email=email))
        db.session.add(EinvoiceSeller(name="Crossdock 示例 GmbH", vat_id="DE811569869",
                                      street="Alexanderplatz 1", city="Berlin",
                                      postal_code="10178", country_code="DE",
                                      iban="DE89370400440532013000"))
        save_backend(db.session, None, name="storecove", kind="peppol_ap",
                     url=f"{storecove.url}/api/v2", secret=storecove.app.api_key,
                     options_json=json.dumps({"legal_entity_id": storecove.app.legal_entity_id}))
        db.session.commit()
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        return invoice.number


def _submission(app):
    """The latest submission: (state, state_text, remote_id, content, [event states])."""
    from addons.einvoicing.models import EinvoiceSubmission

    with app.app_context():
        s = db.session.scalars(select(EinvoiceSubmission)
                               .order_by(EinvoiceSubmission.id.desc())).first()
        result = (s.state, s.state_text, s.remote_id, s.content, [e.state for e in s.events])
        db.session.remove()
        return result


def _pull_evidence(app, channel: str) -> None:
    from addons.einvoicing.services.sending.channels_sending import SENDING
    from connectors import hub

    with app.app_context():
        hub.pull_now(db.session, *SENDING[channel].answers)
        db.session.remove()


def test_a_peppol_customer_gets_our_ubl_and_its_delivery_comes_back(world, storecove):  # noqa: F811
    app, _ids = world
    number = _issue(world, storecove, "peppol_ubl")
    assert _submission(app)[0] == "queued"
    jobs = jobs_run_out(app)
    assert [(kind, state) for kind, state, _ in jobs] == [("einvoicing.peppol_ubl.send", "done")]
    state, _text, remote_id, content, _events = _submission(app)
    [taken] = storecove.app.submissions
    assert (state, remote_id) == ("sent", taken.guid)
    assert taken.parse_strategy == "ubl" and taken.legal_entity_id == 4711
    assert taken.routing == {"eIdentifiers": [{"scheme": "DE:LWID", "id": LEITWEG}],
                             "emails": []}
    assert taken.document == content  # the file kept on the submission, byte for byte
    ubl = etree.fromstring(taken.document)
    text = lambda path: ubl.findtext(path, namespaces=UBL)  # noqa: E731
    assert text("cbc:ID") == number
    assert text("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") \
        == "DE136695976"
    assert ubl.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
                    namespaces=UBL).attrib["schemeID"] == "0204"
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == "230.12"
    rates = {s.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL):
             (s.findtext("cbc:TaxableAmount", namespaces=UBL),
              s.findtext("cbc:TaxAmount", namespaces=UBL))
             for s in ubl.iterfind("cac:TaxTotal/cac:TaxSubtotal", namespaces=UBL)}
    assert rates == {"13": ("30.02", "3.90"), "9": ("180.00", "16.20")}

    _pull_evidence(app, "peppol_ubl")  # nothing delivered yet: no step
    assert _submission(app)[4] == ["queued", "sent"]
    storecove.app.deliver()
    _pull_evidence(app, "peppol_ubl")
    state, text_, _remote, _content, events = _submission(app)
    assert (state, events) == ("delivered", ["queued", "sent", "delivered"])
    assert "PDE000099" in text_ and taken.transmission_id in text_


def test_a_facturx_customer_gets_our_pdf_by_email_with_its_cii(world, storecove):  # noqa: F811
    app, _ids = world
    number = _issue(world, storecove, "facturx", email="ap@kunde.example")
    assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
    state, _text, remote_id, content, _events = _submission(app)
    [taken] = storecove.app.submissions
    assert (state, remote_id) == ("sent", taken.guid)
    assert taken.routing == {"eIdentifiers": [], "emails": ["ap@kunde.example"]}
    assert taken.parse_strategy == "cii"
    [(name, mime, pdf)] = taken.attachments
    assert (name, mime, pdf) == (f"{number.replace('/', '_')}.pdf", "application/pdf", content)
    embedded = PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"][0]
    assert embedded == taken.document  # the document Storecove parses is the PDF's own CII
    cii = etree.fromstring(taken.document)
    assert cii.findtext("rsm:ExchangedDocument/ram:ID", namespaces=CII) == number
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    assert cii.findtext(settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
                        "ram:DuePayableAmount", namespaces=CII) == "230.12"
    rates = {t.findtext("ram:RateApplicablePercent", namespaces=CII):
             (t.findtext("ram:BasisAmount", namespaces=CII),
              t.findtext("ram:CalculatedAmount", namespaces=CII))
             for t in cii.iterfind(settlement + "ram:ApplicableTradeTax", namespaces=CII)}
    assert rates == {"13": ("30.02", "3.90"), "9": ("180.00", "16.20")}

    storecove.app.deliver(taken.guid)
    _pull_evidence(app, "facturx")
    state, text_, _remote, _content, events = _submission(app)
    assert (state, events[-1]) == ("delivered", "delivered") and "250 2.0.0" in text_


def test_a_lost_answer_is_retried_into_one_submission(world, storecove):  # noqa: F811
    app, _ids = world
    storecove.app.lose_answers = 1  # stored, then answered 500
    _issue(world, storecove, "peppol_ubl")
    assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
    assert len(storecove.app.submissions) == 1
    posts = [status for method, _path, status in storecove.app.calls if method == "POST"]
    assert posts == [500, 422]  # the retry's idempotency guid was known: nothing sent twice
    state, text, remote_id, _content, _events = _submission(app)
    assert state == "sent" and remote_id == storecove.app.submissions[0].idempotency_guid
    assert "already submitted" in text


def test_a_refusal_fails_in_the_access_points_words_and_an_invalid_file_stays(
        world, storecove):  # noqa: F811
    app, _ids = world
    storecove.app.unreachable.add(LEITWEG)
    _issue(world, storecove, "peppol_ubl")
    assert [state for _, state, _ in jobs_run_out(app)] == ["failed"]
    state, text, _remote, _content, _events = _submission(app)
    assert state == "failed"
    assert f"Receiver {LEITWEG} is not registered on the Peppol network" in text
    assert storecove.app.submissions == []

    with app.test_request_context():  # the seller's VAT id is gone: sent again, it is invalid
        from addons.einvoicing.models import EinvoiceSeller, EinvoiceSubmission
        from addons.einvoicing.services.sending import send_again

        as_finance(app)
        db.session.scalars(select(EinvoiceSeller)).one().vat_id = None
        again = send_again(db.session, db.session.scalars(select(EinvoiceSubmission)).one())
        db.session.commit()
        assert again.attempt == 2 and again.state == "invalid"
        problems = json.loads(again.events[-1].details_json)["problems"]
        assert "BR-S-02" in [rule for rule, _text in problems]
    assert [state for _, state, _ in jobs_run_out(app)] == ["failed"]  # no new job
    assert storecove.app.submissions == [] and [
        c for c in storecove.app.calls if c[0] == "POST"] == [
        ("POST", "/api/v2/document_submissions", 422)]
