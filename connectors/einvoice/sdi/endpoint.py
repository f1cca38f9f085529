"""Our TrasmissioneFatture endpoint (POST /hub/inbound/sdi): SdI calls it with
the notifications on the files we sent. Verify, store raw, answer fast; the
hub job `inbound.sdi.notification` (the addon's `hub.Inbound` for `SOURCE`)
reads it with `notifications.read` and applies the `SdiResult`.

Who may call: SdI authenticates with mutual TLS, which the reverse proxy in
front of Crossdock terminates: it verifies SdI's client certificate against
the CA SdI names and passes the result on as `X-SSL-Client-Verify` and the
subject as `X-SSL-Client-S-DN` (nginx: $ssl_client_verify, $ssl_client_s_dn),
after removing any such header the client sent. Here we only compare them
with `CROSSDOCK_SDI_CLIENT_SUBJECT`: anything else is refused (403) and
logged, nothing stored. The proxy must never reach us without that step.

Answers: the six operations are one-way, so a stored notification gets an
empty HTTP 200. A request we cannot read is stored too (kept, and its job
fails with the reason) and answered with a SOAP 1.1 Client fault (HTTP 500),
the only error a one-way operation has, so SdI learns it was not taken.
A repeated notification (same IdentificativoSdI and MessageId) is one event.
"""
from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request

from core.db import db
from core.security.request_guard import exempt_from_csrf

from ... import hub
from ..artefacts import ArtefactsMissing
from ..settings import EinvoiceSettings
from .artefacts import sdi_folder
from .notifications import MalformedNotification, event_id, read

SOURCE = "sdi.notification"  # the addon declares hub.Inbound(source=SOURCE, process=...)
PATH = "/hub/inbound/sdi"
log = logging.getLogger(__name__)
blueprint = Blueprint("sdi_inbound", __name__)
FAULT = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap='
         '"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>'
         '<faultcode>soap:Client</faultcode><faultstring>{}</faultstring></soap:Fault>'
         '</soap:Body></soap:Envelope>')


@blueprint.route(PATH, methods=["POST"])
def receive_notification():
    settings = current_app.extensions["crossdock"].settings
    expected = settings.section(EinvoiceSettings).sdi_client_subject
    subject = request.headers.get("X-SSL-Client-S-DN", "")
    if not expected or request.headers.get("X-SSL-Client-Verify") != "SUCCESS" \
            or subject != expected:
        log.warning("SdI endpoint: refused a request from %s (client certificate %r)",
                    request.remote_addr, subject or "none")
        return Response("client certificate not accepted", 403, mimetype="text/plain")
    try:
        folder = sdi_folder(settings)
    except ArtefactsMissing as exc:  # not stored: SdI tries again later
        log.error("SdI endpoint: %s", exc)
        return Response("not configured", 503, mimetype="text/plain")
    raw = request.get_data()
    # kept as text; bytes that are not UTF-8 make it malformed anyway
    try:
        hub.receive(db.session, SOURCE, event_id(raw), raw.decode("utf-8", "replace"))
    except LookupError:  # no installed addon handles them: SdI tries again later
        db.session.rollback()
        log.error("SdI endpoint: no hub.Inbound for %r is registered", SOURCE)
        return Response("not configured", 503, mimetype="text/plain")
    db.session.commit()
    try:
        read(raw, folder)
    except MalformedNotification as exc:
        return Response(FAULT.format(escape(str(exc))), 500, mimetype="text/xml")
    return Response(b"", 200, mimetype="text/xml")


def register(app) -> None:
    """Mount the endpoint on `app` (the hub's extension does, at start)."""
    app.register_blueprint(blueprint)
    exempt_from_csrf(f"{blueprint.name}.receive_notification")  # no session cookie to forge
