"""A Storecove stand-in (a Peppol access point's API v2): the calls our
peppol_ap backend makes, over real HTTP, in memory.

Published contract it follows (Storecove API v2, its OpenAPI
`DocumentSubmissions`, `RawDocumentData`, `Routing`, `Attachment`,
`DocumentSubmissionEvidence`, `ErrorModel`):
- every call needs `Authorization: Bearer <API key>`, else 401;
- `POST /api/v2/document_submissions` with `legalEntityId` (one of ours),
  `idempotencyGuid`, `routing` {eIdentifiers [{scheme, id}], emails} and
  `document` {documentType "invoice", rawDocumentData {document (base64),
  parse, parseStrategy ubl|cii|idoc|setu14}}, optional `attachments`
  [{document (base64), mimeType (only application/pdf), filename,
  primaryImage}]; answers 200 {"guid": <v4 GUID>}; an idempotencyGuid seen
  before is refused 422 and nothing is processed again; a refusal is 422
  with a list of {"source", "details"};
- `GET /api/v2/document_submissions/{guid}/evidence/{sending|clearing}`:
  404 until the document was delivered, then {"guid", "sender", "receiver",
  "network", "documents": [{"document" (URL), "mime_type", "expires_at"}],
  "evidence": {...}}: for peppol receiving_accesspoint, transmission_id,
  message_id, xml; for email smtp_response, timestamp, reporting_mta,
  remote_mta_ip.

The double's own choices, where the contract names no words: the texts of
its refusals, the `source` of a repeated idempotency guid ("idempotencyGuid",
the field's name), an unknown receiver refused at submission (`unreachable`:
participant ids nobody serves), delivery when a test says so (`deliver`),
and `lose_answers`: that many submissions are stored and then answered 500,
as when the answer is lost on the way back.
"""
from __future__ import annotations

import base64
import binascii
import re
import threading
import uuid
from dataclasses import dataclass, field

from lxml import etree

from .json_http import Request

PREFIX = "/api/v2"
STRATEGIES = {"ubl": ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
                      "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"),
              "cii": ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",)}
EVIDENCE = re.compile(rf"^{PREFIX}/document_submissions/([^/]+)/evidence/(sending|clearing)$")


@dataclass
class Submission:
    guid: str
    idempotency_guid: str
    legal_entity_id: int
    routing: dict
    parse_strategy: str
    document: bytes  # the raw document, decoded
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, bytes
    delivered: bool = False
    transmission_id: str = ""


class StorecoveDouble:
    def __init__(self, api_key: str = "sc-test-key", legal_entity_id: int = 4711):
        self.api_key, self.legal_entity_id = api_key, legal_entity_id
        self.submissions: list[Submission] = []
        self.unreachable: set[str] = set()  # Peppol participant ids nobody serves
        self.lose_answers = 0
        self.calls: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def handle(self, request: Request):
        with self._lock:
            status, payload = self._answer(request)
            self.calls.append((request.method, request.path, status))
        return status, payload, {}

    def deliver(self, guid: str | None = None) -> None:
        """The receiving side took the document (every one when no guid)."""
        with self._lock:
            for s in self.submissions:
                if guid in (None, s.guid):
                    s.delivered, s.transmission_id = True, str(uuid.uuid4())

    def _answer(self, request: Request):
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"message": "Unauthorized"}
        if request.method == "POST" and request.path == f"{PREFIX}/document_submissions":
            return self._submit(request.body if isinstance(request.body, dict) else {})
        found = EVIDENCE.match(request.path)
        if request.method == "GET" and found:
            return self._evidence(found.group(1))
        return 404, {"message": "Not Found"}

    def _submit(self, body: dict):
        refusal = self._refusal(body)
        if refusal:
            return 422, [{"source": source, "details": details} for source, details in refusal]
        raw = body["document"]["rawDocumentData"]
        submission = Submission(
            str(uuid.uuid4()), body["idempotencyGuid"], body["legalEntityId"], body["routing"],
            raw["parseStrategy"], base64.b64decode(raw["document"]),
            [(a.get("filename") or "", a["mimeType"], base64.b64decode(a["document"]))
             for a in body.get("attachments") or ()])
        self.submissions.append(submission)
        if self.lose_answers:
            self.lose_answers -= 1
            return 500, {"message": "Internal Server Error"}
        return 200, {"guid": submission.guid}

    def _refusal(self, body: dict) -> list[tuple[str, str]]:
        if body.get("legalEntityId") != self.legal_entity_id:
            return [("legalEntityId", f"LegalEntity {body.get('legalEntityId')} not found")]
        guid = body.get("idempotencyGuid")
        if guid and any(s.idempotency_guid == guid for s in self.submissions):
            return [("idempotencyGuid", f"A document with idempotencyGuid {guid} was "
                                        "already submitted")]
        document = body.get("document") or {}
        raw = document.get("rawDocumentData") or {}
        findings = []
        if document.get("documentType") != "invoice":
            findings.append(("document.documentType", "must be one of invoice, ..."))
        if raw.get("parseStrategy") not in STRATEGIES:
            findings.append(("document.rawDocumentData.parseStrategy",
                             f"cannot parse {raw.get('parseStrategy')!r} here"))
        elif not _root_is(raw.get("document"), STRATEGIES[raw["parseStrategy"]]):
            findings.append(("document.rawDocumentData.document",
                             f"not a parsable {raw['parseStrategy']} invoice"))
        for a in body.get("attachments") or ():
            if a.get("mimeType") != "application/pdf":
                findings.append(("attachments.mimeType", "Currently only application/pdf "
                                                         "is allowed"))
        routing = body.get("routing") or {}
        ids = [e.get("id") for e in routing.get("eIdentifiers") or ()]
        if not ids and not routing.get("emails"):
            findings.append(("routing", "no eIdentifiers and no emails: nowhere to send"))
        for participant in ids:
            if participant in self.unreachable and not routing.get("emails"):
                findings.append(("routing.eIdentifiers", f"Receiver {participant} is not "
                                 "registered on the Peppol network and no emails were given"))
        return findings

    def _evidence(self, guid: str):
        submission = next((s for s in self.submissions if s.guid == guid), None)
        if submission is None or not submission.delivered:
            return 404, {"message": "Not Found"}
        by_email = not submission.routing.get("eIdentifiers")
        receiver = (submission.routing["emails"][0] if by_email
                    else submission.routing["eIdentifiers"][0]["id"])
        evidence = ({"smtp_response": "250 2.0.0 Ok: queued", "timestamp": "2026-12-05 10:00:00",
                     "reporting_mta": "mta.storecove.test", "remote_mta_ip": "192.0.2.25"}
                    if by_email else
                    {"receiving_accesspoint": "CN=PDE000099,O=Receiving AP,C=DE",
                     "transmission_id": submission.transmission_id,
                     "message_id": f"{submission.transmission_id}@storecove.test",
                     "xml": "<Receipt/>"})
        return 200, {"guid": guid, "sender": f"legal entity {submission.legal_entity_id}",
                     "receiver": receiver, "network": "email" if by_email else "peppol",
                     "documents": [{"document": f"https://storecove.test/{guid}",
                                    "mime_type": "application/xml",
                                    "expires_at": "2026-12-06 10:00:00"}],
                     "evidence": evidence}


def _root_is(encoded, namespaces: tuple[str, ...]) -> bool:
    try:
        root = etree.fromstring(base64.b64decode(encoded or "", validate=True))
    except (binascii.Error, etree.XMLSyntaxError, ValueError):
        return False
    return etree.QName(root).namespace in namespaces
