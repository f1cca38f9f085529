"""An issued invoice's e-invoice files, each validated by the official EN
16931 rules before it is handed out (connectors/einvoice): UBL, CII, and the
Factur-X PDF (the CII inside a readable PDF/A-3 in the reader's language)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from connectors.einvoice.artefacts import artefacts_folder
from connectors.einvoice.cii import to_cii
from connectors.einvoice.document import Document
from connectors.einvoice.facturx import cjk_font, facturx_pdf
from connectors.einvoice.ubl import to_ubl
from connectors.einvoice.validation import Report, validate

UBL, CII, FACTURX = "ubl", "cii", "facturx"
KINDS = {UBL: ("application/xml", "xml"), CII: ("application/xml", "cii.xml"),
         FACTURX: ("application/pdf", "pdf")}


@dataclass(frozen=True)
class Checked:
    kind: str
    content: bytes
    report: Report | None  # None for the PDF: its CII was checked inside facturx_pdf


def _settings():
    return current_app.extensions["crossdock"].settings


def artefacts() -> Path:
    return artefacts_folder(_settings())


def xml_of(document: Document, kind: str) -> bytes:
    return to_ubl(document) if kind == UBL else to_cii(document)


def checked(document: Document, kind: str, language: str = "en") -> Checked:
    """The file of `kind`, with its validation (NotValid for a refused PDF)."""
    if kind == FACTURX:
        return Checked(kind, facturx_pdf(document, language, artefacts=artefacts(),
                                         font=cjk_font(_settings())), None)
    xml = xml_of(document, kind)
    return Checked(kind, xml, validate(xml, artefacts()))


def file_name(document: Document, kind: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in document.number)
    return f"{safe}.{KINDS[kind][1]}"
