"""REST for e-invoices: ``GET /api/v1/einvoice_submission/`` (what needs
action first, as Invoicing > E-invoices; filters on state, channel,
invoice), ``GET /api/v1/einvoice_submission/<pk>`` (``.../<pk>/history`` with each
step the remote reported), and
``POST /api/v1/einvoice_submission/<pk>/send_again`` (Finance; audited): a
new attempt of the latest one once it is over. Answers of the action: 201
with the new attempt; 404 one the caller cannot see; 409 not the latest or
still live. The kept file is not in the JSON: the screen hands it out."""
from __future__ import annotations

import json

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy.exc import IntegrityError

from core.api import CrossdockModelRestApi
from core.api.fields import utc_text
from core.db import db

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


def submission_json(s: EinvoiceSubmission) -> dict:
    return {"id": s.id, "invoice_id": s.invoice_id, "channel": s.channel,
            "attempt": s.attempt, "state": s.state, "state_text": s.state_text,
            "file_name": s.file_name, "remote_id": s.remote_id,
            "remote_number": s.remote_number, "document_url": s.document_url,
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
