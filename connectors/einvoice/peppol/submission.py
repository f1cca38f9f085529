"""Our file and its routing as a Storecove document submission (pure).

    {"legalEntityId": <the sender's legal entity at Storecove>,
     "idempotencyGuid": <a GUID, the same for every try of one file>,
     "routing": {"eIdentifiers": [{"scheme": "DE:LWID", "id": "..."}],
                 "emails": ["..."]},
     "document": {"documentType": "invoice",
                  "rawDocumentData": {"document": <base64>, "parse": true,
                                      "parseStrategy": "ubl" | "cii"}},
     "attachments": [{"document": <base64 PDF>, "mimeType": "application/pdf",
                      "filename": "...", "primaryImage": false}]}

A UBL file goes as it is (parseStrategy "ubl") to the buyer's Peppol id.
A Factur-X PDF is not a raw document Storecove parses (its strategies are
ubl, cii, idoc, setu14): its embedded CII goes as the document
(parseStrategy "cii"), byte for byte the XML inside the PDF, and the PDF
itself as the submission's attachment (Storecove takes application/pdf
attachments), routed by e-mail ("emails": used when no e-identifier can be).

Storecove names receiver schemes as the Peppol participant identifier code
list does ("DE:LWID" for ICD 0204); `SCHEMES` maps the EAS codes our files
carry to those names, an unknown code goes as it is (Storecove's 422 then
names it).
"""
from __future__ import annotations

import base64
import hashlib
import uuid

from ..facturx import embedded_xml

PDF, XML = "application/pdf", "application/xml"
# EAS code -> scheme id, from the Peppol participant identifier scheme code list
SCHEMES = {"0007": "SE:ORGNR", "0009": "FR:SIRET", "0088": "GLN", "0106": "NL:KVK",
           "0184": "DK:DIGST", "0190": "NL:OINO", "0192": "NO:ORG", "0204": "DE:LWID",
           "0208": "BE:EN", "0211": "IT:PIVA", "9925": "BE:VAT", "9930": "DE:VAT",
           "9944": "NL:VAT", "9957": "FR:VAT"}


def idempotency_guid(legal_entity_id: int, key: str, content: bytes) -> str:
    """One GUID per file and sender: a retry of it repeats it; another
    Crossdock database reusing our key for another file does not."""
    digest = hashlib.sha256(content).hexdigest()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"crossdock:{legal_entity_id}:{key}:{digest}"))


def submission_body(legal_entity_id: int, key: str, file_name: str, content: bytes,
                    content_type: str, routing: dict) -> dict:
    body = {"legalEntityId": legal_entity_id,
            "idempotencyGuid": idempotency_guid(legal_entity_id, key, content),
            "routing": _routing(routing)}
    if content_type == PDF:
        body["document"] = _raw(embedded_xml(content), "cii")
        body["attachments"] = [{"document": _b64(content), "mimeType": PDF,
                                "filename": file_name, "primaryImage": False}]
    else:
        body["document"] = _raw(content, "ubl")
    return body


def _routing(routing: dict) -> dict:
    out: dict = {"eIdentifiers": [], "emails": list(routing.get("emails") or ())}
    if routing.get("id"):
        scheme = str(routing.get("scheme") or "")
        out["eIdentifiers"].append({"scheme": SCHEMES.get(scheme, scheme),
                                    "id": str(routing["id"])})
    return out


def _raw(xml: bytes, strategy: str) -> dict:
    return {"documentType": "invoice",
            "rawDocumentData": {"document": _b64(xml), "parse": True, "parseStrategy": strategy}}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
