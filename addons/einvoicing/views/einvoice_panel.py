"""The invoice page's e-invoice panel (a slot of invoicing's InvoiceView):
the customer's channel, the document's validation by the official EN 16931
rules (each failing rule by id, in the reader's language where we have it),
and the files to download; for readers of e-invoices (Finance, Read-only)."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale

from addons.invoicing_link.models.invoice import CROSSDOCK, ISSUED
from connectors.einvoice.artefacts import ArtefactsMissing
from connectors.einvoice.rule_texts import rule_text
from core.db import db

from ..services import einvoice_files
from ..services.channels import CHANNELS, FACTURX, PEPPOL_UBL
from ..services.document_builder import NoSeller, build_document, vat_difference

VIEW = "EinvoiceDownloadView"


def invoice_einvoice(view, invoice) -> dict | None:
    if (invoice.state != ISSUED or invoice.origin != CROSSDOCK
            or not view.appbuilder.sm.has_access("can_download", VIEW)):
        return None
    channel = getattr(invoice.company, "einvoice_channel", None) if invoice.company else None
    context = {"channel": CHANNELS.get(channel), "error": None, "findings": [],
               "valid": False, "links": [], "vat_difference": None, "currency": ""}
    try:
        document = build_document(db.session, invoice)
        kind = einvoice_files.CII if channel == FACTURX else einvoice_files.UBL
        report = einvoice_files.checked(document, kind).report
    except (NoSeller, ArtefactsMissing) as exc:
        return {**context, "error": str(exc)}
    language = str(get_locale() or "en")
    context.update(
        valid=report.valid, schema_errors=report.schema_errors,
        findings=[(f.rule, f.flag, rule_text(f.rule, f.text, language))
                  for f in report.findings],
        vat_difference=vat_difference(document, invoice), currency=document.currency,
        links=[(label, url_for(f"{VIEW}.download", pk=invoice.id, kind=kind))
               for label, kind in (("UBL", einvoice_files.UBL), ("CII", einvoice_files.CII),
                                   ("Factur-X PDF", einvoice_files.FACTURX))
               if report.valid],
        peppol=channel == PEPPOL_UBL)
    return context
