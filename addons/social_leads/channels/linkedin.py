"""LinkedIn Lead Sync: the webhook's challenge and lead notifications, to
IncomingLead.

Stored per notification (`SOURCE`, external id "<response id>:<action>",
serial key the response id): {"backend_id", "raw", "notification"}. In the
job a CREATED lead is read (`leadFormResponses`) and its answers mapped per
form (field_mapping.py: options {"forms": {"<form id>": {"<questionId>":
"email"}}}, the form id being the number in urn:li:leadGenForm:<id>); a
DELETED one is said and taken in as nothing (the member withdrew it).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict

from connectors import hub
from connectors.social import linkedin_leads
from connectors.social.backends import LINKEDIN_LEADS
from connectors.social.linkedin_leads import LinkedInLead

from ..services import intake
from ..services.incoming import LINKEDIN as CHANNEL, Attribution, IncomingLead
from . import stored
from .backend_rows import backend_for_event
from .delivery import Answer, Delivery, Webhook
from .field_mapping import form_mapping, lead_values

SOURCE = "social.linkedin"
_FORM_ID = re.compile(r"urn:li:leadGenForm:([^,)\s]+)")


def handshake(client, delivery: Delivery) -> Answer:
    return Answer(json.dumps(linkedin_leads.challenge_answer(delivery.query,
                                                             client.client_secret)),
                  "application/json")


def receive(session, backend, client, delivery: Delivery) -> Answer:
    linkedin_leads.check_signature(delivery.body, delivery.headers.get("X-LI-Signature"),
                                   client.client_secret)
    try:
        note = linkedin_leads.notification(delivery.body)
    except ValueError as exc:
        stored.keep_unreadable(session, SOURCE, backend.id, delivery.body, str(exc))
        return Answer("")
    hub.receive(session, SOURCE, note.dedupe_key,
                {"backend_id": backend.id, "raw": delivery.body.decode("utf-8", "replace"),
                 "notification": asdict(note)}, serial_key=note.response_id)
    return Answer("")


def form_id(form_urn: str) -> str:
    found = _FORM_ID.search(form_urn or "")
    return found.group(1) if found else form_urn


def incoming(lead: LinkedInLead, options: dict) -> IncomingLead:
    form = form_id(lead.form)
    values, extra = lead_values(form_mapping(options, form),
                                {str(question): answer for question, answer in lead.answers.items()})
    if lead.test_lead:
        extra["linkedin_test_lead"] = "true"
    return IncomingLead(attribution=Attribution(CHANNEL, form=form or None),
                        external_id=lead.response_id, received_at=stored.utc(
                            lead.submitted_at / 1000), extra=extra, **values)


def process(session, event) -> str:
    data = stored.read(event)
    backend = backend_for_event(session, LINKEDIN_LEADS, data["backend_id"])
    note = data["notification"]
    if note["action"] != "CREATED":
        return f"LinkedIn lead {note['response_id']} {note['action'].lower()}: nothing taken in"
    options, response_id = backend.options, note["response_id"]
    lead = hub.call_remote(session, backend.id,  # ends the transaction first
                           lambda client: client.api.lead(response_id))
    return intake.take_in(session, incoming(lead, options)).summary


WEBHOOK = Webhook(LINKEDIN_LEADS, handshake, receive)
INBOUND = hub.Inbound(source=SOURCE, process=process)
