"""An issued fapiao's files (PDF, OFD, XML) fetched from the provider's links
by a hub job and kept with the submission: the XML names our invoice's
number and totals; Finance downloads them from the invoice page and REST
lists them, a salesperson is refused. A download answered 500 is retried
and the files kept once, also when the job runs again; a red fapiao whose
XML arrives broken keeps nothing and says why in its history, and gets its
files when Finance asks again (`fetch-files`) once the provider serves them.
SQLite only, against the Nuonuo double over HTTP (the channel's own tests
are test_einvoice_fapiao_sending.py, whose fixtures these reuse).
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from core.db import db
from tests.helpers import api_token, login
from tests.integration.test_einvoice_fapiao_sending import (  # noqa: F401 (fixtures)
    app, china, issued_invoice, nuonuo, pulled_until_final, submissions)
from tests.invoicing_world import as_finance, jobs_run_out, world  # noqa: F401
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytestmark = pytest.mark.addons("invoicing_link")
SEND, FETCH = "einvoicing.fapiao.send", "einvoicing.fapiao.documents"


def kept(submission_id) -> dict:
    from addons.einvoicing.models import FapiaoDocument

    rows = db.session.scalars(select(FapiaoDocument).filter_by(submission_id=submission_id)
                              .order_by(FapiaoDocument.id)).all()
    return {row.kind: row for row in rows}


def test_an_issued_fapiao_s_files_are_kept_and_handed_to_finance_only(china, nuonuo):  # noqa: F811
    app, ids = china  # noqa: F811
    invoice_id = issued_invoice(app, ids)
    assert [(kind, state) for kind, state, _ in jobs_run_out(app)] == [(SEND, "done")]
    finance = app.test_client()
    login(finance, "fin")
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert "einvoice-fapiao-files-pending" not in page  # only sent: no fapiao yet
    blue = pulled_until_final(app, invoice_id)
    assert blue.state == "issued", blue.state_text
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert "The fapiao's PDF, OFD and XML are not fetched yet." in page

    assert [(kind, state) for kind, state, _ in jobs_run_out(app)] == [(SEND, "done"),
                                                                       (FETCH, "done")]
    number = blue.remote_number
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, invoice_id)
        files = kept(blue.id)
        assert list(files) == ["pdf", "ofd", "xml"]
        assert [(f.file_name, f.content_type) for f in files.values()] == [
            (f"{number}.pdf", "application/pdf"), (f"{number}.ofd", "application/ofd"),
            (f"{number}.xml", "application/xml")]
        for f in files.values():
            assert (f.size, f.sha256) == (len(f.content), hashlib.sha256(f.content).hexdigest())
        assert files["pdf"].content.startswith(b"%PDF-")
        with zipfile.ZipFile(io.BytesIO(files["ofd"].content)) as ofd:
            assert number.encode() in ofd.read("OFD.xml")
        xml = etree.fromstring(files["xml"].content)
        assert xml.findtext("Header/EIid") == number
        assert xml.findtext("TaxSupervisionInfo/InvoiceNumber") == number
        basic = xml.find("EInvoiceData/BasicInformation")
        assert tuple(Decimal(basic.findtext(name)) for name in (
            "TotalAmWithoutTax", "TotalTaxAm", "TotalTax-includedAmount")) == (
            invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total)
        contents = {kind: f.content for kind, f in files.items()}

    # Finance: the invoice page offers the three, each the kept bytes
    page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
    assert "not fetched yet" not in page
    [line] = [x for x in page.splitlines() if "einvoice-fapiao-files" in x]
    hrefs = [part.split('"', 1)[0] for part in line.split('href="')[1:]]
    assert len(hrefs) == 3
    for kind, href in zip(("pdf", "ofd", "xml"), hrefs):
        answer = finance.get(href)
        assert answer.status_code == 200 and answer.data == contents[kind]
        assert f'filename="{number}.{kind}"' in answer.headers["Content-Disposition"]
    api = {"Authorization": f"Bearer {api_token(finance, 'fin')}"}
    listed = finance.get(f"/api/v1/einvoice_submission/{blue.id}", headers=api).get_json()
    assert [(f["kind"], f["size"], f["url"]) for f in listed["result"]["fapiao_files"]] == [
        (kind, len(contents[kind]), href) for kind, href in zip(("pdf", "ofd", "xml"), hrefs)]
    rows = finance.get("/api/v1/einvoice_submission/", headers=api).get_json()["result"]
    assert [[f["kind"] for f in row["fapiao_files"]] for row in rows] == [["pdf", "ofd", "xml"]]
    # a salesperson may not download them; an unknown kind is not there
    seller = app.test_client()
    login(seller, "s1")
    for href in hrefs:
        assert seller.get(href).status_code in (302, 403)
    assert finance.get(hrefs[0].replace("/pdf", "/zip")).status_code == 404


def test_a_failed_download_is_retried_the_files_kept_once_a_broken_one_refused(  # noqa: F811
        china, nuonuo):  # noqa: F811
    app, ids = china  # noqa: F811
    double = nuonuo.app
    double.files.fail_next = 1  # the first download answers 500
    invoice_id = issued_invoice(app, ids)
    jobs_run_out(app)
    blue = pulled_until_final(app, invoice_id)
    jobs = jobs_run_out(app)
    assert [(kind, state) for kind, state, _ in jobs] == [(SEND, "done"), (FETCH, "done")]
    from addons.einvoicing.services.sending.fapiao_documents import FETCH_DOCUMENTS
    from connectors import hub
    from connectors.hub.models import SyncJob

    with app.app_context():
        fetch = db.session.scalars(select(SyncJob).filter_by(kind=FETCH)).one()
        assert fetch.attempts == 2  # the 500, then the three files
        first = {kind: f.sha256 for kind, f in kept(blue.id).items()}
        assert list(first) == ["pdf", "ofd", "xml"]
        # the job again (a worker killed before its ack, a person's retry): nothing twice
        hub.enqueue(db.session, FETCH_DOCUMENTS, blue.id, fetch.backend_id)
        db.session.commit()
    assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done", "done"]
    with app.app_context():
        assert {kind: f.sha256 for kind, f in kept(blue.id).items()} == first
    assert len(double.files.gets) == 1 + 3 + 3

    # the credit note's red fapiao: its XML arrives cut off
    double.files.corrupt = {"xml"}
    from addons.invoicing_link.models import Invoice
    from addons.invoicing_link.services.invoices import credit_note, issue_invoice

    with app.test_request_context():
        as_finance(app)
        blue_invoice = db.session.get(Invoice, invoice_id)
        credit = credit_note.credit_note(db.session, blue_invoice,
                                         {blue_invoice.lines[0].id: "1"})
        issue_invoice.issue(db.session, credit)
        db.session.commit()
        credit_id = credit.id
    jobs_run_out(app)
    red = pulled_until_final(app, credit_id)
    assert red.state == "issued", red.state_text
    jobs = jobs_run_out(app)
    assert [(kind, state) for kind, state, _ in jobs[-2:]] == [(SEND, "done"),
                                                               (FETCH, "failed")]
    reason = jobs[-1][2]
    assert f"the XML at {nuonuo.url}/fp/{red.remote_number}.xml: not well-formed XML" in reason
    with app.app_context():
        assert kept(red.id) == {}  # the PDF and OFD were fine: all or nothing
        (red,) = submissions(credit_id)
        assert red.state == "issued"  # the fapiao is issued; its files are not kept
        assert red.events[-1].text.startswith("The fapiao's files were not kept: ")
        assert "not well-formed XML" in red.events[-1].text

    # the provider serves it right now: Finance asks for the missing files again
    double.files.corrupt = set()
    from addons.einvoicing.services.sending.fapiao_documents import queue_missing

    with app.app_context():
        assert queue_missing(db.session) == 1  # the red fapiao: the blue one has its files
        db.session.commit()
    assert jobs_run_out(app)[-1][:2] == (FETCH, "done")
    with app.app_context():
        assert list(kept(red.id)) == ["pdf", "ofd", "xml"]
