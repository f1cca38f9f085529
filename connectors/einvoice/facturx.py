"""Factur-X (EN 16931 profile): the readable invoice PDF with its CII inside,
a PDF/A-3B hybrid a person reads and a machine books.

1. The CII (`cii.py`) is judged by our validator first (official XSD and
   business rules): a fatal finding refuses the PDF, naming the rules.
2. `invoice_pdf.py` writes the PDF/A-3B (embedded fonts, sRGB output intent).
3. The `factur-x` library checks the XML against its Factur-X XSD, attaches it
   as `factur-x.xml` (AFRelationship Data) and replaces the XMP with one that
   declares PDF/A-3B and the Factur-X EN 16931 conformance level.

    pdf = facturx_pdf(doc, "zh", artefacts=artefacts_folder(settings),
                      font=cjk_font(settings))
"""
from __future__ import annotations

from pathlib import Path

from facturx import generate_from_binary, get_facturx_xml_from_pdf

from . import invoice_pdf
from .cii import to_cii
from .document import Document
from .settings import EinvoiceSettings
from .validation import Report, validate


class NotValid(ValueError):
    """The document's CII fails the XSD or a fatal business rule."""

    def __init__(self, report: Report):
        self.report = report
        found = [*report.schema_errors, *(f"{f.rule}: {f.text}" for f in report.fatal)]
        super().__init__("the CII is not valid EN 16931, no Factur-X PDF: " + "; ".join(found))


def cjk_font(settings) -> Path:
    """The configured font (`settings`: core's Settings); `render` checks it exists."""
    return Path(settings.section(EinvoiceSettings).pdf_cjk_font)


def facturx_pdf(document: Document, language: str, *, artefacts: Path, font: Path) -> bytes:
    """`document` as a Factur-X EN 16931 PDF labelled in `language`, validated by
    the official artefacts in `artefacts`, set in `font`; `NotValid` if it fails."""
    xml = to_cii(document)
    report = validate(xml, artefacts)
    if not report.valid:
        raise NotValid(report)
    pdf = invoice_pdf.render(document, language, font)
    title = invoice_pdf.title(document, language)
    # our own metadata, not the library's English one read back from the XML;
    # it goes into both the XMP and the info dictionary, so the two agree
    metadata = {"title": title, "author": document.seller.name,
                "subject": f"{title}: {document.seller.name} -> {document.buyer.name}",
                "keywords": ""}
    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                pdf_metadata=metadata,
                                lang="zh-CN" if language.lower().startswith("zh") else "en")


def embedded_xml(pdf: bytes) -> bytes:
    """The `factur-x.xml` a Factur-X PDF carries (checked against the Factur-X
    XSD by the library); LookupError when there is none that passes."""
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    if not xml:
        raise LookupError("no valid factur-x.xml embedded in this PDF")
    return xml
