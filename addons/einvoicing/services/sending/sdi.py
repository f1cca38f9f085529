"""Channel `sdi`: the invoice as FatturaPA 1.2 (FPR12, a private customer)
through Italy's Sistema di Interscambio (backend kind `sdi`), SdI's
notifications back onto the submission (sdi_notifications.py).

The file: the EN 16931 `Document` plus a `Transmission` from the seller
(its Italian VAT id is the transmitter's id and the file name's) and the
customer company (recipient code, else PEC; codice fiscale). The
progressivo is the submission's id in base 36, so each submission, and each
attempt sent again, has a file name of its own; checked by the official XSD
here, once, so a file SdI would reject as malformed never leaves.

Exactly once: SdI has no idempotency key and no way to ask what it holds,
but it never takes one file name twice: a try repeated after SdI took the
file (a worker killed after the call, a lost answer) gets a new
IdentificativoSdI and then a NotificaScarto 00002 "nome file duplicato" for
it, while the first try's notifications arrive under the first id. Sending
the same name again is therefore harmless, and sdi_notifications.py makes
the ids agree: the 00002 of a file whose job was tried more than once is a
step of the history, not a rejection, and a notification under an id we do
not know but for that file name makes its id the submission's.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from flask import current_app
from flask_babel import gettext

from connectors.einvoice.sdi.artefacts import sdi_folder
from connectors.einvoice.sdi.fatturapa import to_fatturapa
from connectors.einvoice.sdi.transmission import PRIVATE, Transmission
from connectors.einvoice.sdi.validation import fatturapa_errors

from ..channels import SDI as SDI_KEY
from ..document_builder import build_document, seller_of
from . import states
from .channel import Built, Channel, NotBuildable, Outgoing, Problem, Sent
from .sdi_notifications import SDI_NOTIFICATIONS

ITALIAN_VAT_ID = re.compile(r"IT(\d{11})")  # partita IVA: IT and 11 digits
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PROGRESSIVO_PLACES = 5  # SdI: up to 5 of A-Z 0-9; 36**5 submissions


def progressivo(submission_id: int) -> str:
    """The submission's id in base 36, zero-padded to 5 characters."""
    if not 0 < submission_id < len(DIGITS) ** PROGRESSIVO_PLACES:
        raise NotBuildable(gettext("e-invoice #%(id)d has no SdI file number left (5 "
                                   "characters of A-Z 0-9)", id=submission_id))
    text, rest = "", submission_id
    while rest:
        rest, digit = divmod(rest, len(DIGITS))
        text = DIGITS[digit] + text
    return text.rjust(PROGRESSIVO_PLACES, "0")


def italian_document(session, invoice):
    """The invoice's Document, its seller under its Italian VAT registration
    when the seller's own VAT id is foreign (Invoicing > E-invoicing seller)."""
    document = build_document(session, invoice)
    registered = (seller_of(session).vat_id_it or "").replace(" ", "").upper()
    if registered and not document.seller.vat_id.upper().startswith("IT"):
        document = replace(document, seller=replace(document.seller, vat_id=registered))
    return document


def transmission(document, company, submission) -> Transmission:
    """DatiTrasmissione from the seller's VAT id and the customer's SdI data
    (NotBuildable, in words, when SdI could not route it)."""
    seller = ITALIAN_VAT_ID.fullmatch(document.seller.vat_id.replace(" ", "").upper())
    if seller is None:
        raise NotBuildable(gettext("The seller needs an Italian VAT id (IT and 11 digits, "
                                   "its VAT id or its Italian VAT id on Invoicing > "
                                   "E-invoicing seller) to send through SdI"))
    code = (company.einvoice_recipient_code or "").strip().upper()
    pec = (company.einvoice_pec or "").strip()
    if not code and not pec:
        raise NotBuildable(gettext("%(customer)s has neither an SdI recipient code (Codice "
                                   "destinatario) nor a PEC address", customer=company.name))
    # a registered recipient code wins: SdI delivers there; PEC is for code 0000000 only
    return Transmission(progressivo(submission.id), "IT", seller.group(1),
                        recipient_code=code or "0000000", pec="" if code else pec,
                        format=PRIVATE,
                        buyer_fiscal_code=(company.einvoice_fiscal_code or "").strip().upper())


def build(session, invoice, submission) -> Built:
    document = italian_document(session, invoice)
    tx = transmission(document, invoice.company, submission)
    xml = to_fatturapa(document, tx)
    folder = sdi_folder(current_app.extensions["crossdock"].settings)
    return Built(tx.file_name, xml, "application/xml",
                 tuple(Problem("XSD", error) for error in fatturapa_errors(xml, folder)))


def send(client, outgoing: Outgoing) -> Sent:
    """RiceviFile with the kept file under its own name (see above for a repeat)."""
    receipt = client.send(outgoing.file_name, outgoing.content)
    at = receipt.received_at  # DataOraRicezione, in SdI's (Italian) offset
    at = at.astimezone(dt.timezone.utc) if at.tzinfo else at
    return Sent(receipt.identificativo, states.SENT,
                gettext("received by SdI at %(at)s UTC", at=at.strftime("%Y-%m-%d %H:%M:%S")))


SDI = Channel(SDI_KEY, "sdi", build, send, answers=(SDI_NOTIFICATIONS,))
