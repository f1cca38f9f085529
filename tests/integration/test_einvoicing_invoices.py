"""The einvoicing addon: an issued invoice of a German customer as an EN 16931
e-invoice, built from the invoice, judged by the official rules on its page,
handed out as UBL, CII and Factur-X only when valid; a missing seller VAT id
shows the failing rule by id; the customer's channel on the company form;
who may download."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select

from core.db import db
from tests.einvoice_documents import ARTEFACTS
from tests.helpers import api_token, company_form, install, login
from tests.invoicing_world import as_finance, confirmed_order, load, world  # noqa: F401

pytestmark = pytest.mark.addons("invoicing_link")
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


@pytest.fixture
def app(make_app):
    return make_app(en16931_artefacts=str(ARTEFACTS))


@pytest.fixture
def issued(world):  # noqa: F811
    """The world's order (230.12 CNY: W-1 at VAT 13% added, G-1 at 9% included)
    invoiced and issued to a German company, with a seller."""
    app, ids = world
    install(app, "einvoicing")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.einvoicing.models import EinvoiceSeller

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.country_code, customer.tax_id = "DE", "DE136695976"
        customer.street, customer.city, customer.postal_code = "Hauptstr. 1", "Berlin", "10115"
        db.session.add(EinvoiceSeller(name="Crossdock 示例 GmbH", vat_id="DE811569869",
                                      street="Alexanderplatz 1", city="Berlin",
                                      postal_code="10178", country_code="DE",
                                      iban="DE89370400440532013000"))
        db.session.commit()
        company_id = customer.id
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        return app, invoice.id, invoice.number, company_id


def test_an_issued_invoice_is_a_valid_e_invoice_with_our_amounts(issued):
    app, invoice_id, number, company_id = issued
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    panel = page.split('id="invoice-einvoice"', 1)[1].split('id="einvoice-files"', 1)
    assert 'id="einvoice-valid"' in panel[0] and "einvoice-findings" not in panel[0]

    resp = finance.get(f"/einvoice/{invoice_id}/ubl")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    assert f'filename="{number.replace("/", "_")}.xml"' in resp.headers["Content-Disposition"]
    ubl = etree.fromstring(resp.data)
    text = lambda path: ubl.findtext(path, namespaces=UBL)  # noqa: E731
    assert text("cbc:ID") == number
    assert text("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") \
        == "DE136695976"
    # the invoice's amounts, to the cent: 30.02 + 180.00 untaxed (G-1's 9% taken out)
    assert text("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == "210.02"
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == "230.12"
    rates = {s.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL):
             (s.findtext("cbc:TaxableAmount", namespaces=UBL),
              s.findtext("cbc:TaxAmount", namespaces=UBL))
             for s in ubl.iterfind("cac:TaxTotal/cac:TaxSubtotal", namespaces=UBL)}
    assert rates == {"13": ("30.02", "3.90"), "9": ("180.00", "16.20")}
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, invoice_id)
        assert (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total) == (
            Decimal("210.02"), Decimal("20.10"), Decimal("230.12"))

    cii = finance.get(f"/einvoice/{invoice_id}/cii")
    assert cii.status_code == 200 and b"CrossIndustryInvoice" in cii.data
    pdf = finance.get(f"/einvoice/{invoice_id}/facturx")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert list(reader.attachments) == ["factur-x.xml"]
    assert reader.attachments["factur-x.xml"][0] == cii.data  # the same CII, embedded
    assert "230.12" in "".join(p.extract_text() for p in reader.pages)


def test_a_missing_seller_vat_id_shows_the_rule_and_nothing_is_handed_out(issued):
    app, invoice_id, number, company_id = issued
    with app.app_context():
        from addons.einvoicing.models import EinvoiceSeller

        db.session.scalars(select(EinvoiceSeller)).one().vat_id = None
        db.session.commit()
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    panel = page.split('id="invoice-einvoice"', 1)[1]
    assert 'id="einvoice-invalid"' in panel
    assert '<td class="einvoice-rule">BR-S-02</td>' in panel
    resp = finance.get(f"/einvoice/{invoice_id}/ubl")
    assert resp.status_code == 409 and "BR-S-02" in resp.get_data(as_text=True)
    assert finance.get(f"/einvoice/{invoice_id}/facturx").status_code == 409
    zh = app.test_client()  # the rule in the reader's language
    login(zh, "fin")
    page = zh.get(f"/invoiceview/show/{invoice_id}",
                  headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    from connectors.einvoice.rule_texts import ZH

    panel = page.split('id="invoice-einvoice"', 1)[1].split("</table>", 1)[0]
    assert "BR-S-02" in panel and ZH["BR-S-02"] in panel


def test_the_channel_on_the_company_form_and_who_may_download(issued):
    app, invoice_id, number, company_id = issued
    seller = app.test_client()
    token = login(seller, "s1")  # the invoice's salesperson: no e-invoice files
    assert seller.get(f"/einvoice/{invoice_id}/ubl").status_code in (302, 403)
    assert 'id="invoice-einvoice"' not in seller.get(
        f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    form = seller.get(f"/companyview/edit/{company_id}").get_data(as_text=True)
    assert '<option value="facturx">' in form.replace(" selected", "")
    with app.app_context():
        from addons.contacts.models import Company

        owner = db.session.get(Company, company_id).owner_id
    resp = seller.post(f"/companyview/edit/{company_id}", data=company_form(
        token, name="Customer of s1", tax_id="DE136695976", street="Hauptstr. 1",
        city="Berlin", postal_code="10115", country_code="DE", owner=str(owner),
        einvoice_channel="facturx", einvoice_endpoint="", einvoice_endpoint_scheme=""))
    assert resp.status_code == 302, [line for line in resp.get_data(as_text=True).splitlines()
                                     if "help-block" in line or "alert" in line]
    with app.app_context():
        from addons.contacts.models import Company

        assert db.session.get(Company, company_id).einvoice_channel == "facturx"
    api = {"Authorization": f"Bearer {api_token(seller, 's1')}"}  # over REST: the same choice
    for wrong, said in ((False, "Not a valid string."), ("ubl", "Must be one of")):
        resp = seller.put(f"/api/v1/company/{company_id}", headers=api,
                          json={"einvoice_channel": wrong})
        assert resp.status_code == 422 and said in str(resp.get_json()["errors"])
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert "Factur-X (PDF with EN 16931 CII)" in page
    assert finance.get("/einvoice/999999/ubl").status_code == 404
    assert finance.get(f"/einvoice/{invoice_id}/docx").status_code == 404


def test_an_invoice_rounded_per_line_leaves_with_its_own_total(issued):
    """Three lines of 0.25 at 13%: each line's VAT 0.0325 is 0.03, the invoice's
    0.09; EN 16931 would compute 0.75 x 13% = 0.10 and ask the customer for a
    cent more than the invoice. The e-invoice states the invoice's VAT (BR-CO-17
    allows it) and is valid, so the customer pays what Finance booked."""
    app, _invoice_id, _number, _company_id = issued
    order_id = confirmed_order(app, "s1", [("W-1", "1", "0.25", "0")] * 3, team="A")
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(order_id))
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        invoice_id = invoice.id
        assert (invoice.amount_tax, invoice.amount_total) == (Decimal("0.09"), Decimal("0.84"))
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert 'id="einvoice-valid"' in page and 'id="einvoice-vat-difference"' not in page
    ubl = etree.fromstring(finance.get(f"/einvoice/{invoice_id}/ubl").data)
    assert ubl.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=UBL) == "0.09"
    assert ubl.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL) == "0.84"
    cii = finance.get(f"/einvoice/{invoice_id}/cii")
    assert cii.status_code == 200 and b"<ram:DuePayableAmount>0.84<" in cii.data
