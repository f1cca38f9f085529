"""Building an EN 16931 file for a channel: the invoice as UBL, or as the
Factur-X PDF with its CII, and the official rules' fatal findings as the
problems that keep it from leaving (texts in the issuer's language)."""
from __future__ import annotations

from flask_babel import get_locale

from connectors.einvoice.facturx import NotValid
from connectors.einvoice.rule_texts import rule_text

from .. import einvoice_files
from ..document_builder import build_document
from .channel import Built, Problem


def _problems(report, language: str) -> tuple[Problem, ...]:
    return (tuple(Problem("XSD", error) for error in report.schema_errors)
            + tuple(Problem(f.rule, rule_text(f.rule, f.text, language)) for f in report.fatal))


def build_en16931(session, invoice, kind: str) -> tuple[Built, object]:
    """(the file of `kind` with its problems, the Document it renders)."""
    document = build_document(session, invoice)
    language = str(get_locale() or "en")
    name = einvoice_files.file_name(document, kind)
    mimetype = einvoice_files.KINDS[kind][0]
    try:
        made = einvoice_files.checked(document, kind, language)
    except NotValid as exc:  # the PDF's CII failed: no PDF, the CII's findings
        return Built(name, b"", mimetype, _problems(exc.report, language)), document
    problems = _problems(made.report, language) if made.report is not None else ()
    return Built(name, made.content, mimetype, problems), document
