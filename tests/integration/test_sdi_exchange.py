"""FatturaPA through the SdI stand-in over real HTTP: our zeep client gets an
IdentificativoSdI (and EI02 is transient); the stand-in's callbacks reach our
TrasmissioneFatture endpoint, are stored raw through the hub and processed
into the right states (RC, NS with its codes, MC, NE EC01/EC02, DT, AT);
a repeated notification is stored once; a malformed one is kept, failed with
its reason and answered with a SOAP fault; a forged caller is refused and
logged. SQLite only: the hub's storage is proven on both databases by
test_hub_inbound_events.py; this is the protocol."""
from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from connectors import hub
from connectors.einvoice.sdi.client import SdiClient
from connectors.einvoice.sdi.endpoint import PATH, SOURCE
from connectors.einvoice.sdi.fatturapa import to_fatturapa
from connectors.einvoice.sdi.notifications import read
from connectors.errors import PermanentError, TransientError
from connectors.hub.models import InboundEvent, SyncJob
from core.db import db
from tests.doubles.sdi_standin import CLIENT_SUBJECT, SdiStandin
from tests.sdi_documents import INVOICE_IT, SDI_ARTEFACTS, transmission
from tests.sqlite_only import sqlite_database_url  # noqa: F401 (the database_url fixture)

results = []  # what the addon's process would apply to its invoices


def _apply(session, event):
    result = read(event.payload, SDI_ARTEFACTS)
    results.append(result)
    return result.words


NOTIFICATIONS = hub.Inbound(source=SOURCE, process=_apply)


@pytest.fixture
def sdi(make_app):
    """(stand-in, our app served over HTTP)."""
    results.clear()
    app = make_app(sdi_artefacts=str(SDI_ARTEFACTS), sdi_client_subject=CLIENT_SUBJECT,
                   hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)
    hub.register(NOTIFICATIONS)  # after the app: the einvoicing addon registers its own
    app.extensions["hub"].start_worker(2)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    standin = SdiStandin(SDI_ARTEFACTS, f"http://127.0.0.1:{server.server_port}{PATH}",
                         after_receipt=()).start()
    yield standin, app
    standin.stop()
    server.shutdown()
    app.extensions["hub"].stop()


def _settled(app, count: int, timeout: float = 15.0) -> list[SyncJob]:
    """The inbound jobs, once `count` of them have ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            jobs = db.session.scalars(select(SyncJob).where(
                SyncJob.kind == NOTIFICATIONS.kind).order_by(SyncJob.id)).all()
            if len(jobs) >= count and all(j.state in ("done", "failed") for j in jobs):
                db.session.expunge_all()
                return jobs
        time.sleep(0.05)
    raise AssertionError(f"{count} notifications were not processed in time")


def _send(standin, progressivo="00001"):
    tx = transmission(progressivo)
    return tx.file_name, SdiClient(SDI_ARTEFACTS, standin.url, timeout=(2, 5)).send(
        tx.file_name, to_fatturapa(INVOICE_IT, tx))


def test_a_sent_invoice_gets_its_id_and_every_notification_its_state(sdi):
    standin, app = sdi
    standin.after_receipt = ("RC",)
    name, receipt = _send(standin)
    assert receipt.identificativo == standin.received[name].identificativo
    standin.wait_callbacks()
    for kind, esito in (("NE", "EC01"), ("NE", "EC02"), ("MC", ""), ("DT", ""), ("AT", ""),
                        ("NS", "")):
        assert standin.notify(name, kind, esito=esito or "EC01").status_code == 200
    jobs = _settled(app, 7)
    assert [j.state for j in jobs] == ["done"] * 7
    # two workers process them, so in any order
    assert sorted((r.kind, r.state, r.identificativo_sdi, r.invoice_file) for r in results) == [
        (k, s, receipt.identificativo, name) for k, s in (
            ("AT", "transmitted"), ("DT", "terms_expired"), ("MC", "not_delivered"),
            ("NE", "accepted"), ("NE", "refused"), ("NS", "rejected"), ("RC", "delivered"))]
    by_kind = {r.kind: r for r in results if r.kind != "NE"}
    assert by_kind["NS"].errors == (("00100", "Certificato di firma scaduto"),)
    assert jobs[-1].result == f"SdI {receipt.identificativo}: rejected (00100 Certificato " \
                              "di firma scaduto)"
    assert sorted(r.outcome for r in results if r.kind == "NE") == ["EC01", "EC02"]


def test_a_reused_file_name_is_rejected_with_its_code_and_ei02_is_transient(sdi):
    standin, app = sdi
    _send(standin)
    _, second = _send(standin)  # SdI answers an id, then rejects the name: 00002
    standin.wait_callbacks()
    _settled(app, 1)
    assert [(r.identificativo_sdi, r.state, r.errors[0][0]) for r in results] == [
        (second.identificativo, "rejected", "00002")]
    standin.unavailable = True
    with pytest.raises(TransientError, match="EI02 SERVIZIO NON DISPONIBILE"):
        _send(standin, "00002")


def test_an_invalid_file_never_leaves(sdi):
    standin, _ = sdi
    tx = transmission()
    bad = to_fatturapa(INVOICE_IT, tx).replace(b"<CAP>00145</CAP>", b"<CAP>Roma</CAP>")
    with pytest.raises(PermanentError, match="Element 'CAP'"):
        SdiClient(SDI_ARTEFACTS, standin.url).send(tx.file_name, bad)
    assert standin.received == {}


def test_a_repeated_notification_is_stored_once(sdi):
    standin, app = sdi
    name, _ = _send(standin)
    first = standin.notify(name, "RC", message_id="777001")
    again = standin.notify(name, "RC", message_id="777001")
    assert (first.status_code, again.status_code) == (200, 200)
    _settled(app, 1)
    time.sleep(0.3)  # a second job would have run by now
    with app.app_context():
        assert len(db.session.scalars(select(InboundEvent)).all()) == 1
    assert len(results) == 1


def test_a_malformed_notification_is_kept_failed_and_answered_with_a_fault(sdi):
    standin, app = sdi
    envelope = (b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
                b'<soapenv:Body><types:ricevutaConsegna xmlns:types="http://www.fatturapa.gov.it'
                b'/sdi/ws/trasmissione/v1.0/types"><IdentificativoSdI>81000000001'
                b'</IdentificativoSdI><NomeFile>IT01234567890_00001_RC_001.xml</NomeFile>'
                b'<File>bm90IHhtbA==</File></types:ricevutaConsegna></soapenv:Body>'
                b'</soapenv:Envelope>')
    response = standin.post(envelope, "http://www.fatturapa.it/TrasmissioneFatture/"
                                      "RicevutaConsegna")
    assert response.status_code == 500 and b"<faultcode>soap:Client</faultcode>" in \
        response.content and b"File is not a base64 XML message" in response.content
    [job] = _settled(app, 1)
    assert job.state == "failed" and "File is not a base64 XML message" in job.last_error
    with app.app_context():
        [event] = db.session.scalars(select(InboundEvent)).all()
        assert event.payload.encode() == envelope and event.external_id.startswith("malformed/")


def test_a_forged_caller_is_refused_and_logged(sdi, caplog):
    standin, app = sdi
    name, _ = _send(standin)
    envelope = standin.sample("RC", standin.received[name].identificativo, name, "1")
    with caplog.at_level(logging.WARNING, "connectors.einvoice.sdi.endpoint"):
        response = standin.post(envelope, "RicevutaConsegna", subject="CN=Mallory")
    assert response.status_code == 403
    assert "refused a request" in caplog.text and "CN=Mallory" in caplog.text
    with app.app_context():
        assert db.session.scalars(select(InboundEvent)).all() == []
