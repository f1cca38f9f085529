"""Issue 15's "done when", from the demo as a new user runs it: with an
access point (Storecove stand-in), SdI (the stand-in from the official WSDLs,
calling our endpoint back) and Nuonuo (the double) configured as backends,
`crossdock einvoicing demo` issues an invoice per channel; the hub sends
each once and brings the answers back: the German customer's UBL and the
other German customer's Factur-X delivered, the Italian customer's FatturaPA
delivered and accepted, the Chinese customer's fapiao issued; the demo run
again corrects that fapiao with a red-letter one. Each remote holds our
document with our total to the cent; each invoice page shows its state.
SQLite only: one long walk through every channel, the channels' own files
test both databases' parts."""
from __future__ import annotations

import io
import threading
import time
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.serving import make_server

from connectors.einvoice.sdi.endpoint import PATH
from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.nuonuo_double import NuonuoDouble
from tests.doubles.peppol_ap_double import StorecoveDouble
from tests.doubles.sdi_standin import CLIENT_SUBJECT, SdiStandin
from tests.einvoice_documents import ARTEFACTS
from tests.einvoicing_backends import pull_answers, save_backends
from tests.helpers import add_user, login
from tests.sdi_documents import SDI_ARTEFACTS
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytestmark = pytest.mark.addons("einvoicing")
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
FINAL = {"de-peppol": "delivered", "de-facturx": "delivered", "it-sdi": "accepted",
         "cn-fapiao": "issued"}


@pytest.fixture
def remotes(make_app):
    """Our app served over HTTP, the three remotes, a backend for each."""
    app = make_app(en16931_artefacts=str(ARTEFACTS), sdi_artefacts=str(SDI_ARTEFACTS),
                   sdi_client_subject=CLIENT_SUBJECT, hub_backoff_base_seconds=0.2,
                   hub_backoff_ceiling_seconds=0.5)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sdi = SdiStandin(SDI_ARTEFACTS, f"http://127.0.0.1:{server.server_port}{PATH}",
                     after_receipt=("RC", "NE")).start()
    storecove = JsonHttpServer(StorecoveDouble()).start()
    nuonuo = JsonHttpServer(NuonuoDouble()).start()
    with app.app_context():
        save_backends(db.session, storecove, sdi, nuonuo)
        db.session.commit()
    yield app, sdi, storecove.app, nuonuo.app
    app.extensions["hub"].stop()
    sdi.stop()
    storecove.stop()
    nuonuo.stop()
    server.shutdown()


def _demo(app) -> list[str]:
    from addons.einvoicing.services.load_demo import load_demo

    with app.app_context(), acting_as(SYSTEM):
        said = load_demo(db.session)
        db.session.commit()
        return said


def _by_customer(app) -> dict[str, tuple]:
    """Each demo customer's invoices' latest submissions:
    {key: [(invoice number, kind, total, state, remote id, remote number, content)]}."""
    from addons.contacts.models import Company
    from addons.einvoicing.data.demo_einvoicing import SOURCE
    from addons.einvoicing.models import EinvoiceSubmission
    from addons.invoicing_link.models import Invoice

    found = {}
    with app.app_context():
        for company in db.session.scalars(select(Company).where(
                Company.source.like(SOURCE + "%"))):
            rows = []
            for invoice in db.session.scalars(select(Invoice).where(
                    Invoice.company_id == company.id).order_by(Invoice.id)):
                s = db.session.scalars(select(EinvoiceSubmission).where(
                    EinvoiceSubmission.invoice_id == invoice.id)
                    .order_by(EinvoiceSubmission.attempt.desc())).first()
                rows.append((invoice.number, invoice.kind, invoice.amount_total, s.state,
                             s.remote_id, s.remote_number, s.content, invoice.id))
            found[company.source[len(SOURCE):]] = rows
        db.session.remove()
    return found


def _answers_until(app, storecove, wanted, timeout=30.0) -> dict:
    """Pull the access point's and Nuonuo's answers (as the scheduler does)
    until every customer's latest invoice is in its wanted state."""
    deadline = time.monotonic() + timeout
    while True:
        pull_answers(app, storecove)
        found = _by_customer(app)
        states = {key: rows[-1][3] for key, rows in found.items()}
        if all(states.get(k) == v for k, v in wanted.items()) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_the_demo_sends_an_invoice_through_every_channel_and_corrects_the_fapiao(remotes):
    app, sdi, storecove, nuonuo = remotes
    said = _demo(app)
    assert any("its fapiao is not issued yet" in line for line in said)
    app.extensions["hub"].start_worker(2)
    found = _answers_until(app, storecove, FINAL)
    assert {k: rows[-1][3] for k, rows in found.items()} == FINAL

    # each remote holds our document, with our total to the cent
    [(_, _, total, _, guid, _, ubl, _)] = found["de-peppol"]
    [at_ap] = [s for s in storecove.submissions if s.guid == guid]
    assert at_ap.document == ubl and at_ap.routing["eIdentifiers"]
    assert Decimal(etree.fromstring(ubl).findtext(".//cbc:PayableAmount",
                                                  namespaces=UBL)) == total
    [(_, _, total, _, guid, _, pdf, _)] = found["de-facturx"]
    [at_ap] = [s for s in storecove.submissions if s.guid == guid]
    cii = PdfReader(io.BytesIO(pdf)).attachments["factur-x.xml"][0]
    assert at_ap.document == cii and at_ap.routing["emails"] == ["rechnung@kuehlhaus.example"]
    assert Decimal(etree.fromstring(cii).findtext(".//ram:DuePayableAmount",
                                                  namespaces=CII)) == total
    [(_, _, total, _, identificativo, _, fattura, _)] = found["it-sdi"]
    [received] = [r for r in sdi.received.values() if r.identificativo == identificativo]
    assert received.xml == fattura
    assert Decimal(etree.fromstring(fattura).findtext(".//ImportoTotaleDocumento")) == total
    [(blue_number, _, total, _, order_no, fapiao_number, _, _)] = found["cn-fapiao"]
    assert len(fapiao_number) == 20 and nuonuo.issued_for(order_no) == 1
    assert nuonuo.orders[order_no].number == fapiao_number

    said = _demo(app)  # again: the Chinese customer returns one sensor
    assert any("returned against fapiao " + fapiao_number in line for line in said)
    found = _answers_until(app, storecove, {**FINAL, "cn-fapiao": "issued"})
    [blue, red] = found["cn-fapiao"]
    assert red[1] == "credit_note" and red[3] == "issued" and len(red[5]) == 20
    red_order = nuonuo.orders[red[4]]
    assert red_order.blue_number == fapiao_number and red_order.red_reason == "1"  # 销货退回
    sensor = Decimal("320.00") * Decimal("1.13")  # one CD-TS30 at 320.00 CNY + 13% VAT
    assert red[2] == sensor and sum(Decimal(str(line["taxExcludedAmount"])) + Decimal(
        str(line["tax"])) for line in red_order.lines) == -sensor

    # each invoice's page shows its channel's state
    add_user(app, "fin", ["Finance"], None)
    finance = app.test_client()
    login(finance, "fin")
    for key, rows in found.items():
        *_, invoice_id = rows[-1]
        page = finance.get(f"/invoiceview/show/{invoice_id}").get_data(as_text=True)
        assert f'data-state="{rows[-1][3]}"' in page, key
