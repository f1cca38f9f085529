"""The `sdi` channel end to end: an Italian customer's issued invoice leaves
as FatturaPA through the hub to the SdI stand-in (over real HTTP, an `sdi`
backend row), and SdI's callbacks to our endpoint move its submission, one
history step each: delivered, then accepted; a rejection with its codes in
words, sent again under a new file name; EI02 retried, the file sent once;
a repeat after SdI took the file (the answer lost) ends with SdI's first id
and no rejection. What could not be built, or fails the XSD, never leaves.
SQLite only, like test_sdi_exchange.py: the protocol, not the storage."""
from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select
from werkzeug.serving import make_server

from connectors.einvoice.sdi.client import SdiClient
from connectors.einvoice.sdi.endpoint import PATH
from connectors.einvoice.sdi.validation import fatturapa_errors
from core.db import db
from tests.doubles.sdi_standin import CLIENT_SUBJECT, SdiStandin
from tests.invoicing_world import as_finance, load, world  # noqa: F401
from tests.sdi_documents import SDI_ARTEFACTS
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

pytestmark = pytest.mark.addons("einvoicing")
REJECTION = [("00311", "1.1.4 <CodiceDestinatario> non valido"),
             ("00305", "1.4.1.1.2 <IdCodice> non valido")]


@pytest.fixture
def app(make_app):
    return make_app(sdi_artefacts=str(SDI_ARTEFACTS), sdi_client_subject=CLIENT_SUBJECT,
                    hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)


@pytest.fixture
def sdi(world):  # noqa: F811
    """(app, the world's ids, the stand-in): our app served over HTTP (its
    workers start once the invoice is issued), an Italian seller, the world's
    customer made Italian on the sdi channel, an `sdi` backend at the stand-in."""
    app, ids = world
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    standin = SdiStandin(SDI_ARTEFACTS, f"http://127.0.0.1:{server.server_port}{PATH}").start()
    with app.app_context():
        from addons.contacts.models import Company
        from addons.einvoicing.models import EinvoiceSeller
        from connectors.hub.models import Backend

        customer = db.session.scalars(select(Company).filter_by(name="Customer of s1")).one()
        customer.name = "Rossi Costruzioni SPA"
        customer.country_code, customer.tax_id = "IT", "IT09876540015"  # a valid partita IVA
        customer.street, customer.city, customer.postal_code = "Via Torino 38", "Roma", "00145"
        customer.province, customer.einvoice_channel = "RM", "sdi"
        customer.einvoice_recipient_code = "ABC1234"
        seller = EinvoiceSeller(name="Crossdock Italia SRL", vat_id="IT01234567890",
                                street="Via Roma 10", city="Milano", postal_code="20121",
                                country_code="IT", iban="IT60X0542811101000000123456")
        db.session.add_all([seller, Backend(name="SdI", kind="sdi", url=standin.url)])
        db.session.commit()
        ids.update(customer=customer.id, seller=seller.id)
    yield app, ids, standin
    standin.stop()
    server.shutdown()
    app.extensions["hub"].stop()


def _issue(app, ids, *, work: bool = True) -> int:
    """Issue the world's order's invoice (its submission queued), then start
    the workers unless told not to."""
    with app.test_request_context():
        from addons.invoicing_link.services.invoices import draft_from_order, issue_invoice

        as_finance(app)
        invoice = draft_from_order.invoice_order(db.session, load(ids["order"]))
        for line in invoice.lines:  # FatturaPA's texts are Latin-1: no 小部件 in Italy
            line.description = line.description.split()[0]
        db.session.flush()
        issue_invoice.issue(db.session, invoice)
        db.session.commit()
        invoice_id = invoice.id
    if work:
        app.extensions["hub"].start_worker(2)
    return invoice_id


def _send_again(app, invoice_id: int, attempt: int) -> None:
    with app.test_request_context():
        from addons.einvoicing.services.sending import send_again

        as_finance(app)
        send_again(db.session, _submission(invoice_id, attempt))
        db.session.commit()


def _submission(invoice_id: int, attempt: int):
    from addons.einvoicing.models import EinvoiceSubmission

    return db.session.scalars(select(EinvoiceSubmission).filter_by(
        invoice_id=invoice_id, attempt=attempt)).one()


def _seen(app, invoice_id: int, attempt: int) -> dict:
    """The submission as Finance sees it: state, words, file, SdI's id, history."""
    with app.app_context():
        found = _submission(invoice_id, attempt)
        seen = {"state": found.state, "text": found.state_text, "file": found.file_name,
                "remote_id": found.remote_id, "content": found.content,
                "history": [(e.state, e.text, e.details_json) for e in found.events]}
        db.session.remove()
        return seen


def _until(app, invoice_id: int, attempt: int, state: str, steps: int = 0,
           timeout: float = 30.0) -> dict:
    """The submission once it is `state` with at least `steps` history steps."""
    deadline = time.monotonic() + timeout
    while True:
        seen = _seen(app, invoice_id, attempt)
        if seen["state"] == state and len(seen["history"]) >= steps:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"attempt {attempt} is not {state}: {seen['state']} "
                                 f"({seen['text']}), history {seen['history']}")
        time.sleep(0.05)


def _steps(seen) -> list[str]:
    return [state for state, _text, _details in seen["history"]]


def test_an_italian_invoice_reaches_sdi_with_our_amounts_is_delivered_then_accepted(sdi):
    app, ids, standin = sdi
    invoice_id = _issue(app, ids)
    seen = _until(app, invoice_id, 1, "delivered")
    standin.wait_callbacks()
    [received] = standin.received.values()
    assert received.file_name == seen["file"] and received.xml == seen["content"]
    assert received.identificativo == seen["remote_id"]
    progressivo = re.fullmatch(r"IT01234567890_([0-9A-Z]{5})\.xml", seen["file"]).group(1)
    assert fatturapa_errors(received.xml, SDI_ARTEFACTS) == ()
    tree = etree.fromstring(received.xml)
    assert (tree.findtext(".//IdTrasmittente/IdCodice"), tree.findtext(".//ProgressivoInvio"),
            tree.findtext(".//CodiceDestinatario"), tree.findtext(".//FormatoTrasmissione")) \
        == ("01234567890", progressivo, "ABC1234", "FPR12")
    assert tree.findtext(".//CessionarioCommittente//IdCodice") == "09876540015"
    with app.app_context():
        from addons.invoicing_link.models import Invoice

        invoice = db.session.get(Invoice, invoice_id)
        assert tree.findtext(".//DatiGeneraliDocumento/Numero") == invoice.number
        assert Decimal(tree.findtext(".//ImportoTotaleDocumento")) == invoice.amount_total \
            == Decimal("230.12")
        assert sum(Decimal(n.text) for n in tree.iterfind(".//Imposta")) == invoice.amount_tax
    rates = {s.findtext("AliquotaIVA"): (s.findtext("ImponibileImporto"), s.findtext("Imposta"))
             for s in tree.iterfind(".//DatiRiepilogo")}
    assert rates == {"13.00": ("30.02", "3.90"), "9.00": ("180.00", "16.20")}

    # the customer's outcome, delivered twice by SdI: one step
    for _ in range(2):
        assert standin.notify(seen["file"], "NE", esito="EC01",
                              message_id="777001").status_code == 200
    seen = _until(app, invoice_id, 1, "accepted")
    time.sleep(0.3)  # a second processing would have run by now
    seen = _seen(app, invoice_id, 1)
    assert _steps(seen) == ["queued", "sent", "delivered", "accepted"]
    sent, delivered, accepted = (text for _s, text, _d in seen["history"][1:])
    assert re.fullmatch(rf"{seen['file']} is {seen['remote_id']} \(sent\): received by SdI "
                        r"at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC", sent), sent
    assert delivered == f"SdI delivered it to the customer (RC, SdI {seen['remote_id']})"
    assert accepted.startswith("The customer accepted it (NE") and "EC01" in accepted
    assert len(standin.received) == 1

    # a notification on a file we never sent: kept, its job failed saying so
    stray = "IT01234567890_ZZZZZ.xml"
    assert standin.notify(stray, "RC", identificativo="81999999999").status_code == 200
    deadline = time.monotonic() + 20
    while (failed := _inbound_jobs(app, "failed")) == []:
        assert time.monotonic() < deadline, "the stray notification was not processed"
        time.sleep(0.05)
    assert failed == [f"SdI 81999999999: no e-invoice sent through SdI has this "
                      f"IdentificativoSdI or file '{stray}' (RC message 900002 kept)"]


def test_not_buildable_invalid_rejected_then_sent_again_through_ei02_and_accepted(sdi):
    app, ids, standin = sdi
    _change(app, "EinvoiceSeller", ids["seller"], vat_id="DE811569869")
    _change(app, "Company", ids["customer"], einvoice_recipient_code=None, postal_code="0014")
    invoice_id = _issue(app, ids)
    seller = _seen(app, invoice_id, 1)
    assert (seller["state"], seller["text"]) == (
        "not_sent", "The seller needs an Italian VAT id (IT and 11 digits, its VAT id or its "
                    "Italian VAT id on Invoicing > E-invoicing seller) to send through SdI")

    _change(app, "EinvoiceSeller", ids["seller"], vat_id="IT01234567890")
    _send_again(app, invoice_id, 1)
    customer = _seen(app, invoice_id, 2)
    assert (customer["state"], customer["text"]) == (
        "not_sent", "Rossi Costruzioni SPA has neither an SdI recipient code (Codice "
                    "destinatario) nor a PEC address")

    # a PEC address now, but a postal code SdI's XSD refuses: the file never leaves
    _change(app, "Company", ids["customer"], einvoice_pec="fatture@pec.rossi.example")
    _send_again(app, invoice_id, 2)
    invalid = _seen(app, invoice_id, 3)
    assert invalid["state"] == "invalid" and standin.received == {}
    [problem] = json.loads(invalid["history"][-1][2])["problems"]
    assert problem[0] == "XSD" and "Element 'CAP'" in problem[1] and "'0014'" in problem[1]

    _change(app, "Company", ids["customer"], postal_code="00145")
    standin.after_receipt = ()
    _send_again(app, invoice_id, 3)
    rejected = _until(app, invoice_id, 4, "sent")
    assert etree.fromstring(standin.received[rejected["file"]].xml).findtext(
        ".//PECDestinatario") == "fatture@pec.rossi.example"
    standin.notify(rejected["file"], "NS", errors=REJECTION)
    rejected = _until(app, invoice_id, 4, "rejected")
    assert rejected["text"] == (f"SdI rejected it (NS, SdI {rejected['remote_id']}): 00311 "
                                "1.1.4 <CodiceDestinatario> non valido; 00305 1.4.1.1.2 "
                                "<IdCodice> non valido")
    assert json.loads(rejected["history"][-1][2]) == {"errors": [list(e) for e in REJECTION]}

    standin.unavailable, standin.after_receipt = True, ("RC",)  # EI02 until it is back
    _send_again(app, invoice_id, 4)
    deadline = time.monotonic() + 20
    while "EI02" not in str(_push_jobs(app)[-1][2]):
        assert time.monotonic() < deadline, _push_jobs(app)
        time.sleep(0.05)
    assert _seen(app, invoice_id, 5)["state"] == "queued"
    standin.unavailable = False
    accepted = _until(app, invoice_id, 5, "delivered")
    standin.wait_callbacks()
    standin.notify(accepted["file"], "NE", esito="EC01")
    accepted = _until(app, invoice_id, 5, "accepted")
    assert _steps(accepted) == ["queued", "sent", "delivered", "accepted"]
    # a new name for the new attempt, and one file each: no 00002 after the EI02s
    assert rejected["file"] != accepted["file"]
    assert sorted(standin.received) == sorted([rejected["file"], accepted["file"]])
    assert [(kind, name) for kind, name, _status in standin.deliveries] == [
        ("NS", rejected["file"]), ("RC", accepted["file"]), ("NE", accepted["file"])]
    state, attempts, _error = _push_jobs(app)[-1]
    assert state == "done" and attempts >= 2
    assert _seen(app, invoice_id, 4)["state"] == "rejected"


def test_a_repeat_after_sdi_took_the_file_keeps_sdis_first_id_and_is_no_rejection(sdi):
    """As a worker killed after RiceviFile leaves it: the job tried once and
    SdI holds the file; the next try gets a new id and 00002 for it."""
    app, ids, standin = sdi
    invoice_id = _issue(app, ids, work=False)  # the job waits while the first try happens
    queued = _seen(app, invoice_id, 1)
    with app.app_context():
        from connectors.hub.models import SyncJob

        job = db.session.scalars(select(SyncJob).filter_by(kind="einvoicing.sdi.send")).one()
        job.attempts = 1
        db.session.commit()
    first = SdiClient(SDI_ARTEFACTS, standin.url).send(queued["file"], queued["content"])
    app.extensions["hub"].start_worker(2)
    seen = _until(app, invoice_id, 1, "delivered", steps=4)  # queued, sent, RC, NS 00002
    standin.wait_callbacks()
    assert seen["remote_id"] == first.identificativo
    # the first try's RC and the repeat's NS come in either order
    assert sorted(kind for kind, _f, status in standin.deliveries) == ["NS", "RC"] and all(
        status == 200 for _k, _f, status in standin.deliveries)
    duplicate = [(state, text) for state, text, details in seen["history"]
                 if details and json.loads(details)["errors"][0][0] == "00002"]
    [(state, text)] = duplicate
    assert state == "sent" and "already received" in text and "rejected" not in _steps(seen)


def _change(app, model: str, record_id: int, **fields) -> None:
    """What Finance or the salesperson fixes on the seller or the customer."""
    with app.app_context():
        from addons.contacts.models import Company
        from addons.einvoicing.models import EinvoiceSeller

        row = db.session.get({"Company": Company, "EinvoiceSeller": EinvoiceSeller}[model],
                             record_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def _inbound_jobs(app, state: str) -> list[str]:
    with app.app_context():
        from connectors.hub.models import SyncJob

        errors = list(db.session.scalars(select(SyncJob.last_error).filter_by(
            kind="inbound.sdi.notification", state=state)))
        db.session.remove()
        return errors


def _push_jobs(app) -> list[tuple]:
    with app.app_context():
        from connectors.hub.models import SyncJob

        jobs = [(j.state, j.attempts, j.last_error) for j in db.session.scalars(
            select(SyncJob).filter_by(kind="einvoicing.sdi.send").order_by(SyncJob.id))]
        db.session.remove()
        return jobs
