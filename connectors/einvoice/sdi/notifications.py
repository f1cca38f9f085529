"""SdI's notifications on a sent invoice (the TrasmissioneFatture WSDL's six
one-way operations), read from the raw SOAP request and mapped to a neutral
`SdiResult` that an addon applies to its invoice. No I/O, no Flask.

What is checked, and why only that: the SOAP body's element (fileSdI_Type:
IdentificativoSdI, NomeFile, base64 File) is validated by the official
`TrasmissioneTypes_v1.1.xsd`. The message file inside follows
`MessaggiTypes_v1.x.xsd`, which SdI publishes apart and which is not among
the artefacts we configure, so its root element (the one the operation
carries), its IdentificativoSdI (equal to the envelope's), MessageId and the
fields we read (Esito EC01/EC02, the rejection's error codes) are checked
here. Anything else is `MalformedNotification` with the reason.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ...errors import PermanentError
from . import artefacts
from .validation import PARSER, schema_errors

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TYPES = "http://www.fatturapa.gov.it/sdi/ws/trasmissione/v1.0/types"
MESSAGES = "http://www.fatturapa.gov.it/sdi/messaggi/v1.0"
# body element -> (kind as in SdI's file names, the message's root element, state)
KINDS = {
    "ricevutaConsegna": ("RC", "RicevutaConsegna", "delivered"),
    "notificaMancataConsegna": ("MC", "NotificaMancataConsegna", "not_delivered"),
    "notificaScarto": ("NS", "NotificaScarto", "rejected"),
    "notificaEsito": ("NE", "NotificaEsito", None),  # accepted / refused, by its Esito
    "notificaDecorrenzaTermini": ("DT", "NotificaDecorrenzaTermini", "terms_expired"),
    "attestazioneTrasmissioneFattura": ("AT", "AttestazioneTrasmissioneFattura",
                                        "transmitted"),
}
OUTCOMES = {"EC01": "accepted", "EC02": "refused"}  # the customer's Esito (public administration)


class MalformedNotification(PermanentError):
    """Not a TrasmissioneFatture notification we can act on (the reason says why)."""


@dataclass(frozen=True)
class SdiResult:
    """What a notification says about one sent file (IdentificativoSdI).

    `state`: delivered, not_delivered, rejected, accepted, refused,
    terms_expired or transmitted; `errors`: the rejection's (code,
    description) pairs in SdI's words; `outcome`: EC01/EC02 on a NotificaEsito."""
    identificativo_sdi: str
    kind: str  # RC MC NS NE DT AT
    state: str
    invoice_file: str  # NomeFile of the invoice, as the message names it
    message_id: str
    errors: tuple[tuple[str, str], ...] = ()
    outcome: str = ""
    description: str = ""

    @property
    def words(self) -> str:
        """One line for the invoice's history."""
        detail = "; ".join(f"{code} {text}" for code, text in self.errors) or self.description
        detail = " ".join(part for part in (self.outcome, detail) if part)
        head = f"SdI {self.identificativo_sdi}: {self.state.replace('_', ' ')}"
        return f"{head} ({detail})" if detail else head


def event_id(raw: bytes) -> str:
    """The id the raw request is stored under: IdentificativoSdI/MessageId, so a
    repeated notification is one event; a malformed one under its hash."""
    try:
        body, message = _unwrap(raw)
    except MalformedNotification:
        return "malformed/" + hashlib.sha256(raw).hexdigest()[:40]
    return f"{body.findtext('IdentificativoSdI')}/{message.findtext('MessageId')}"


def read(raw: bytes | str, folder: Path) -> SdiResult:
    """The `SdiResult` of a raw TrasmissioneFatture request (as received, or
    as the hub stored it), or MalformedNotification naming what is wrong."""
    body, message = _unwrap(raw.encode("utf-8") if isinstance(raw, str) else raw)
    errors = schema_errors(etree.ElementTree(_detached(body)), folder,
                           artefacts.TRASMISSIONE_TYPES)
    if errors:
        raise MalformedNotification("the SOAP body is not what the TrasmissioneFatture "
                                    "WSDL declares: " + "; ".join(errors[:3]))
    kind, _root, state = KINDS[etree.QName(body).localname]
    sdi_id = body.findtext("IdentificativoSdI")
    if message.findtext("IdentificativoSdI") != sdi_id:
        raise MalformedNotification(f"the message's IdentificativoSdI is not the "
                                    f"envelope's ({sdi_id})")
    outcome, description, found = "", message.findtext("Descrizione") or "", ()
    if kind == "NE":
        outcome = message.findtext("EsitoCommittente/Esito") or ""
        if outcome not in OUTCOMES:
            raise MalformedNotification(f"NotificaEsito with Esito {outcome!r} "
                                        "(EC01 or EC02 expected)")
        state = OUTCOMES[outcome]
        description = message.findtext("EsitoCommittente/Descrizione") or ""
    elif kind == "NS":
        found = tuple((e.findtext("Codice") or "", " ".join((e.findtext("Descrizione")
                                                              or "").split()))
                      for e in message.iterfind("ListaErrori/Errore"))
        if not found or not all(code for code, _ in found):
            raise MalformedNotification("NotificaScarto without its error codes")
    return SdiResult(sdi_id, kind, state, message.findtext("NomeFile") or "",
                     message.findtext("MessageId"), found, outcome, description)


def _unwrap(raw: bytes):
    """The SOAP body's notification element and the message file inside it."""
    try:
        envelope = etree.fromstring(raw, PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedNotification(f"not well-formed XML: {exc}") from None
    if envelope.tag != f"{{{SOAP}}}Envelope":
        raise MalformedNotification(f"{envelope.tag} is not a SOAP 1.1 Envelope")
    body = envelope.find(f"{{{SOAP}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1 or etree.QName(children[0]).namespace != TYPES \
            or etree.QName(children[0]).localname not in KINDS:
        raise MalformedNotification("the SOAP body holds no TrasmissioneFatture "
                                    "notification (" + ", ".join(KINDS) + ")")
    element = children[0]
    try:
        data = base64.b64decode(element.findtext("File") or "", validate=True)
        message = etree.fromstring(data, PARSER)
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
        raise MalformedNotification(f"File is not a base64 XML message: {exc}") from None
    expected = KINDS[etree.QName(element).localname][1]
    if message.tag != f"{{{MESSAGES}}}{expected}":
        raise MalformedNotification(f"{etree.QName(element).localname} carries "
                                    f"{message.tag}, not {expected}")
    if not message.findtext("MessageId"):
        raise MalformedNotification(f"{expected} without MessageId")
    return element, message


def _detached(element):
    """A copy of `element` as a document root (the XSD declares it globally)."""
    return etree.fromstring(etree.tostring(element))
