"""GET /einvoice/<invoice id>/<ubl|cii|facturx>: an issued invoice's e-invoice
file, built and validated on the spot (nothing is stored: the invoice is
immutable, so the file is the same each time); refused with the failing
rules rather than handed out invalid. Readers of e-invoices, through the
invoices' record rules."""
from __future__ import annotations

from flask import Response, abort
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import get_locale
from sqlalchemy import select

from addons.invoicing_link.models.invoice import CROSSDOCK, ISSUED, Invoice
from connectors.einvoice.artefacts import ArtefactsMissing
from connectors.einvoice.facturx import NotValid
from core.db import db

from ..models.seller import EinvoiceSeller
from ..services import einvoice_files
from ..services.document_builder import NoSeller, build_document


class EinvoiceDownloadView(BaseView):
    route_base = "/einvoice"
    datamodel = SQLAInterface(EinvoiceSeller)  # the permissions follow its access rows
    class_permission_name = "EinvoiceDownloadView"
    method_permission_name = {"download": "download"}

    @expose("/<int:pk>/<kind>", methods=["GET"])
    @has_access
    def download(self, pk, kind):
        if kind not in einvoice_files.KINDS:
            abort(404)
        invoice = db.session.scalars(select(Invoice).where(
            Invoice.id == pk, Invoice.state == ISSUED, Invoice.origin == CROSSDOCK)).first()
        if invoice is None:
            abort(404)  # none, not issued, the ERP's, or not the reader's
        try:
            document = build_document(db.session, invoice)
            made = einvoice_files.checked(document, kind, str(get_locale() or "en"))
        except (NoSeller, ArtefactsMissing) as exc:
            return Response(str(exc), status=409, mimetype="text/plain")
        except NotValid as exc:
            return Response(_refusal(exc.report), status=409, mimetype="text/plain")
        if made.report is not None and not made.report.valid:
            return Response(_refusal(made.report), status=409, mimetype="text/plain")
        mimetype = einvoice_files.KINDS[kind][0]
        name = einvoice_files.file_name(document, kind)
        return Response(made.content, mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})


def _refusal(report) -> str:
    lines = ["Not valid EN 16931: nothing handed out."]
    lines += [f"schema: {e}" for e in report.schema_errors]
    lines += [f"{f.rule}: {f.text}" for f in report.fatal]
    return "\n".join(lines)
