"""The invoice page's e-invoice panel (a slot of invoicing's InvoiceView):
the customer's channel; for EN 16931 the document's validation by the
official rules (each failing rule by id, in the reader's language where we
have it) and its files; then what was sent through the channel: each
attempt's kept file (and an issued fapiao's PDF, OFD and XML once
fetched), its state and the remote's history, and "Send again" for Finance
once an attempt is over. For readers of e-invoices (Finance,
Read-only)."""
from __future__ import annotations

import json

from flask import url_for
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from addons.invoicing_link.models.invoice import CROSSDOCK, ISSUED
from connectors.einvoice.artefacts import ArtefactsMissing
from connectors.einvoice.fapiao.documents import LABELS as DOCUMENT_LABELS
from connectors.einvoice.rule_texts import rule_text
from core.db import db

from ..models.submission import EinvoiceSubmission
from ..services import einvoice_files
from ..services.channels import CHANNELS, FACTURX, FAPIAO, PEPPOL_UBL, SDI
from ..services.document_builder import NoSeller, build_document, vat_difference
from ..services.sending import states
from .submission_view import state_badge

VIEW, SUBMISSIONS = "EinvoiceDownloadView", "EinvoiceSubmissionView"


def invoice_einvoice(view, invoice) -> dict | None:
    sm = view.appbuilder.sm
    if (invoice.state != ISSUED or invoice.origin != CROSSDOCK
            or not sm.has_access("can_download", VIEW)):
        return None
    channel = getattr(invoice.company, "einvoice_channel", None) if invoice.company else None
    context = {"channel": CHANNELS.get(channel), "error": None, "findings": [],
               "valid": False, "links": [], "vat_difference": None, "currency": "",
               "en16931": channel not in (SDI, FAPIAO),
               "submissions": _submissions(invoice, sm) if sm.has_access(
                   "can_list", SUBMISSIONS) else []}
    if not context["en16931"]:
        return context
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


def _submissions(invoice, sm) -> list[dict]:
    """Newest attempt first, each with its history and what may be done with it."""
    rows = db.session.scalars(
        select(EinvoiceSubmission).where(EinvoiceSubmission.invoice_id == invoice.id)
        .options(selectinload(EinvoiceSubmission.events),
                 selectinload(EinvoiceSubmission.fapiao_documents))
        .order_by(EinvoiceSubmission.attempt.desc())).all()
    may_send = sm.has_access("can_send_again", SUBMISSIONS)
    shown = []
    for n, row in enumerate(rows):
        problems = []
        for event in row.events:
            details = json.loads(event.details_json) if event.details_json else {}
            problems += [tuple(p) for p in details.get("problems", ())]
            problems += [tuple(e) for e in details.get("errors", ())]
        shown.append({
            "id": row.id, "attempt": row.attempt, "channel": CHANNELS.get(row.channel),
            "state": state_badge(row.state), "state_key": row.state,
            "text": row.state_text, "file_name": row.file_name,
            "file_url": url_for(f"{SUBMISSIONS}.download", pk=row.id) if row.content else None,
            "remote_id": row.remote_id, "remote_number": row.remote_number,
            "document_url": row.document_url, "problems": problems,
            "fapiao_files": [(DOCUMENT_LABELS[d.kind], url_for(
                f"{SUBMISSIONS}.fapiao_document", pk=row.id, kind=d.kind))
                for d in row.fapiao_documents],
            "fapiao_files_pending": row.channel == FAPIAO and row.state == states.ISSUED
            and not row.fapiao_documents,
            "events": [(e.at, states.LABELS.get(e.state, e.state), e.text) for e in row.events],
            "send_again_url": url_for(f"{SUBMISSIONS}.send_again", pk=row.id)
            if may_send and n == 0 and row.state in states.MAY_SEND_AGAIN else None})
    return shown
