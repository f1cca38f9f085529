"""REST for tickets: `/api/v1/ticket/` (list, show, create, edit) and its
thread: `GET /api/v1/ticket/<pk>/messages`, `POST /api/v1/ticket/<pk>/messages`
`{"body": "...", "public": true}` (a reply to the customer, or with
`"public": false` an internal note), `POST /api/v1/ticket/<pk>/stage`
`{"stage_id": 3}`. The record rules of the screens apply (a Support Agent
reaches their teams' tickets; 404 for one out of reach). A ticket created
here is numbered, staged, put under its SLA and assigned like any other
(channel "api" unless given); the stage and the SLA columns are read-only
(moves go through /stage). Refusals: 400 for a malformed body, 409 for a
move or reply the ticket's state refuses (merged, a stage of another team),
422 naming the field."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api import CrossdockModelRestApi
from core.api.fields import utc_text
from core.db import db, is_row_id
from core.security.record_rules import AccessDenied
from core.views.capped_count import CappedCountInterface

from ..models import Ticket, TicketMessage, TicketStage
from ..models.ticket import API, CHANNELS, PRIORITIES
from ..services import tickets
from ..services.tickets.opening import prepare, settle

WRITTEN = ["subject", "description", "channel", "ticket_type", "priority", "company", "person",
           "contact_email", "team", "owner", "tags"]
EDITED = ["subject", "description", "ticket_type", "priority", "owner", "tags", "contact_email"]
SHOWN = ["id", "number", "subject", "description", "channel", "ticket_type", "priority",
         "company.id", "company.name", "person.id", "person.name", "contact_email", "team.id",
         "team.name", "owner.id", "owner.username", "stage.id", "stage.name", "stage.kind",
         "created_at", "first_response_due", "first_response_at", "resolution_due", "solved_at",
         "first_response_breached", "resolution_breached", "merged_into.id", "merged_into.number"]

_ERRORS = """
            400: {$ref: '#/components/responses/CrossdockError400'}
            401: {$ref: '#/components/responses/CrossdockError401'}
            403: {$ref: '#/components/responses/CrossdockError403'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {$ref: '#/components/responses/CrossdockError409'}
        """
MESSAGES_DOC = """A ticket's thread, or a reply or note added to it
        ---
        get:
          summary: The ticket's messages, oldest first (attachments by name)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: The messages
              content:
                application/json:
                  schema: {type: object, properties: {result: {type: array, items: {type: object}}}}
""" + _ERRORS + """
        post:
          summary: Add a public reply (default) or an internal note
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [body]
                  properties: {body: {type: string}, public: {type: boolean}}
          responses:
            201:
              description: The message added
              content:
                application/json:
                  schema: {type: object, properties: {result: {type: object}}}
""" + _ERRORS
STAGE_DOC = """Move a ticket to a stage of its team's flow
        ---
        post:
          summary: Move to a stage (the SLA clock follows)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [stage_id]
                  properties: {stage_id: {type: integer}}
          responses:
            200:
              description: The ticket
              content:
                application/json:
                  schema: {type: object, properties: {result: {type: object}}}
""" + _ERRORS


def message_json(m: TicketMessage) -> dict:
    return {"id": m.id, "kind": m.kind, "direction": m.direction, "author_id": m.author_id,
            "author_email": m.author_email, "author_name": m.author_name, "body": m.body,
            "channel": m.channel, "created_at": utc_text(m.created_at),
            "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type,
                             "size": a.size} for a in m.attachments]}


class DeskTicketApi(CrossdockModelRestApi):
    resource_name = "ticket"
    datamodel = CappedCountInterface(Ticket)  # the list's count stops at the cap
    openapi_spec_tag = "Tickets"
    include_route_methods = {"get", "get_list", "info", "post", "put", "messages", "stage"}
    list_columns = ["id", "number", "subject", "channel", "priority", "team.id", "owner.id",
                    "stage.id", "stage.kind", "company.id", "person.id", "created_at",
                    "resolution_due", "resolution_breached"]
    show_columns = SHOWN
    # only these columns are selected: contacts' models carry other addons' columns
    list_select_columns = list_columns
    show_select_columns = SHOWN
    add_columns = WRITTEN
    edit_columns = EDITED
    search_columns = ["number", "subject", "channel", "priority", "team", "owner", "stage",
                      "company", "person", "created_at", "resolution_breached"]
    order_columns = ["id", "created_at", "priority", "resolution_due"]
    base_order = ("id", "desc")
    validators_columns = {"channel": validate.OneOf(CHANNELS),
                          "priority": validate.OneOf(PRIORITIES)}
    responses = {**CrossdockModelRestApi.responses, "CrossdockError409": {
        "description": "Conflict: the ticket's state refuses it",
        "content": {"application/json": {"schema": {
            "type": "object", "properties": {"message": {"type": "string"}},
            "required": ["message"]}}}}}

    def pre_add(self, item):
        item.channel = item.channel or API
        prepare(db.session, item)

    def post_add(self, item):
        settle(db.session, item)
        db.session.commit()

    def _refused(self, exc):
        db.session.rollback()
        if isinstance(exc, AccessDenied):
            return self.response(403, message=str(exc))
        return self.response(409, message=str(exc))

    def _json_body(self):
        refused = self._refuse_body()
        if refused is not None:
            return None, refused
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None, self.response_400(message="a JSON object is expected")
        return body, None

    @expose("/<int:pk>/messages", methods=["GET", "POST"])
    @protect()
    @permission_name("messages")
    def messages(self, pk):
        ticket = self.item_or_none(pk)
        if ticket is None:
            return self.response_404()
        if request.method == "GET":
            rows = db.session.scalars(
                select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
                .options(selectinload(TicketMessage.attachments))
                .order_by(TicketMessage.id)).all()
            return self.response(200, result=[message_json(m) for m in rows])
        body, refused = self._json_body()
        if refused is not None:
            return refused
        text, public = body.get("body"), body.get("public", True)
        if not isinstance(text, str) or not text.strip():
            return self.response_422(message={"body": ["a text is required"]})
        if not isinstance(public, bool):
            return self.response_422(message={"public": ["true or false"]})
        try:
            message = tickets.reply(db.session, ticket, self.appbuilder.sm.current_user.id,
                                    text, public=public)
            db.session.commit()
        except (ValueError, AccessDenied) as exc:
            return self._refused(exc)
        return self.response(201, result=message_json(message))

    @expose("/<int:pk>/stage", methods=["POST"])
    @protect()
    @permission_name("stage")
    def stage(self, pk):
        ticket = self.item_or_none(pk)
        if ticket is None:
            return self.response_404()
        body, refused = self._json_body()
        if refused is not None:
            return refused
        stage_id = body.get("stage_id")
        if type(stage_id) is not int:
            return self.response_422(message={"stage_id": ["an integer is required"]})
        stage = db.session.get(TicketStage, stage_id) if is_row_id(stage_id) else None
        if stage is None:
            return self.response_422(message={"stage_id": ["no such stage"]})
        try:
            tickets.move(db.session, ticket, stage)
            db.session.commit()
        except (ValueError, AccessDenied) as exc:
            return self._refused(exc)
        return self.response(200, result=self.show_model_schema.dump(ticket))

    messages.__doc__ = MESSAGES_DOC
    stage.__doc__ = STAGE_DOC
