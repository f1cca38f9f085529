"""REST for e-invoices: ``GET /api/v1/einvoice_submission/`` (what needs
action first, as Invoicing > E-invoices; filters on state, channel,
invoice), ``GET /api/v1/einvoice_submission/<pk>`` (``.../<pk>/history`` with each
step the remote reported), and
``POST /api/v1/einvoice_submission/<pk>/send_again`` (Finance; audited): a
new attempt of the latest one once it is over. Answers of the action: 201
with the new attempt; 404 one the caller cannot see; 409 not the latest or
still live. The kept file is not in the JSON: the screen hands it out; so
are an issued fapiao's files, which each answer lists under `fapiao_files`
(kind, file name, content type, size, sha256, fetched at, download URL;
empty until fetched)."""
from __future__ import annotations

import json

from flask import url_for
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import CrossdockModelRestApi
from core.api.fields import utc_text
from core.db import db

from ..models.fapiao_document import FapiaoDocument
from ..models.submission import EinvoiceSubmission
from ..services.sending import NotSendable, send_again
from ..views.submission_view import UrgentFirst, readable_submission

LISTED = ["id", "invoice.id", "invoice.number", "channel", "attempt", "state", "state_text",
          "file_name", "remote_id", "remote_number", "document_url", "updated_at"]
SEND_AGAIN_DOC = """Send an e-invoice again as a new attempt
        ---
        post:
          summary: A new attempt of the latest e-invoice of an invoice, once it is over
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            201: {description: "The new attempt (its state: queued, invalid or not_sent)"}
            401: {$ref: '#/components/responses/CrossdockError401'}
            403: {$ref: '#/components/responses/CrossdockError403'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {description: Not the latest attempt, or it is still live}
        """


def fapiao_files(submission_ids) -> dict[int, list[dict]]:
    """Each submission's kept fapiao files (no content), in one query."""
    found: dict[int, list[dict]] = {int(i): [] for i in submission_ids}
    for d in db.session.scalars(select(FapiaoDocument).where(
            FapiaoDocument.submission_id.in_(list(found))).order_by(FapiaoDocument.id)):
        found[d.submission_id].append({
            "kind": d.kind, "file_name": d.file_name, "content_type": d.content_type,
            "size": d.size, "sha256": d.sha256, "fetched_at": utc_text(d.fetched_at),
            "url": url_for("EinvoiceSubmissionView.fapiao_document", pk=d.submission_id,
                           kind=d.kind)})
    return found


def submission_json(s: EinvoiceSubmission) -> dict:
    return {"id": s.id, "invoice_id": s.invoice_id, "channel": s.channel,
            "attempt": s.attempt, "state": s.state, "state_text": s.state_text,
            "file_name": s.file_name, "remote_id": s.remote_id,
            "remote_number": s.remote_number, "document_url": s.document_url,
            "fapiao_files": fapiao_files([s.id])[s.id],
            "history": [{"at": utc_text(e.at), "state": e.state, "text": e.text,
                         "details": json.loads(e.details_json) if e.details_json else None}
                        for e in s.events]}


class EinvoiceSubmissionApi(CrossdockModelRestApi):
    resource_name = "einvoice_submission"
    datamodel = UrgentFirst(EinvoiceSubmission)
    openapi_spec_tag = "E-invoices"
    allow_browser_login = True
    include_route_methods = {"get", "get_list", "history", "send_again"}
    list_columns = show_columns = LISTED
    search_columns = ["state", "channel", "invoice", "file_name", "remote_id", "updated_at"]
    order_columns = ["id", "updated_at", "state"]

    def pre_get(self, data):
        pk = int(data["id"])
        data["result"]["fapiao_files"] = fapiao_files([pk])[pk]

    def pre_get_list(self, data):
        files = fapiao_files(data["ids"])
        for pk, row in zip(data["ids"], data["result"]):
            row["fapiao_files"] = files[int(pk)]

    @expose("/<int:pk>/history", methods=["GET"])
    @protect()
    @permission_name("get")
    def history(self, pk):
        """The e-invoice with each step the remote reported
        ---
        get:
          summary: An e-invoice and its history
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: "The e-invoice with `history`"}
            404: {$ref: '#/components/responses/CrossdockError404'}
        """
        submission = readable_submission(pk)
        if submission is None:
            return self.response_404()
        return self.response(200, result=submission_json(submission))

    @expose("/<int:pk>/send_again", methods=["POST"])
    @protect()
    @permission_name("send_again")
    def send_again(self, pk):
        submission = readable_submission(pk)
        if submission is None:
            return self.response_404()
        try:
            again = send_again(db.session, submission)
            db.session.commit()
        except NotSendable as exc:
            db.session.rollback()
            return self.response(409, message=str(exc))
        except IntegrityError as exc:  # a second request made the same attempt meanwhile
            return self._refused(exc)
        return self.response(201, result=submission_json(again))

    send_again.__doc__ = SEND_AGAIN_DOC
