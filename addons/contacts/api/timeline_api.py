"""REST for a contact's timeline: GET and POST /api/v1/company/<pk>/timeline
and /api/v1/person/<pk>/timeline.

The contact is loaded through the ORM first, so the record rules apply: 404
for a contact the caller cannot see, 403 for a log they may not make. FAB
permissions come from TimelineEntry's rows in security/access.csv (can_get:
read, can_post: create). Reading and writing go through services/timeline.py.
"""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect

from core.api.fields import BadValue, as_int, int_bits, nul_paths
from core.db import db
from core.security.actor import current_actor

from ..models import Company, Person
from ..models.timeline_entry import TimelineEntry
from ..rules.field_error import ContactFieldError
from ..services import timeline

ENTRY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"},
        "subject": {"type": "string"}, "body": {"type": "string", "nullable": True},
        "occurred_at": {"type": "string", "format": "date-time"},
        "author": {"type": "object", "nullable": True},
        "person": {"type": "object", "nullable": True,
                   "description": "set on a company's timeline for its people's entries"},
        "source_model": {"type": "string", "nullable": True},
        "source_id": {"type": "string", "nullable": True},
        "url": {"type": "string", "nullable": True},
    },
}


def entry_json(entry: TimelineEntry) -> dict:
    return {
        "id": entry.id, "kind": entry.kind, "subject": entry.subject, "body": entry.body,
        "occurred_at": entry.occurred_at.isoformat(),
        "author": ({"id": entry.author.id, "username": entry.author.username}
                   if entry.author else None),
        "person": ({"id": entry.person.id, "name": entry.person.name}
                   if entry.person_id and entry.person else None),
        "source_model": entry.source_model, "source_id": entry.source_id, "url": entry.url,
    }


def _occurred_at(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ContactFieldError("occurred_at", f"'{value}' is not an ISO 8601 date-time") from None


class _TimelineApi(BaseApi):
    contact_model: type
    datamodel = SQLAInterface(TimelineEntry)  # ties the FAB permissions to access.csv
    openapi_spec_tag = "Contact timeline"
    openapi_spec_component_schemas = ()
    apispec_parameter_schemas = {}

    def _contact(self, pk: int):
        bits = int_bits(self.contact_model.id.type, db.session.get_bind().dialect.name)
        try:  # an id no row can have: the database would refuse it with an error
            return db.session.get(self.contact_model, as_int(pk, bits))
        except BadValue:
            return None

    def _field_error(self, exc: ContactFieldError):
        db.session.rollback()
        return self.response_422(message={exc.field: [exc.message]})

    @expose("/<int:pk>/timeline", methods=["GET"])
    @protect()
    @permission_name("get")
    def get_timeline(self, pk):
        """The contact's timeline, newest first.
        ---
        get:
          summary: Timeline entries of a contact, newest first
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: before, schema: {type: string},
             description: "the `next` cursor of the previous page"}
          - {in: query, name: limit, schema: {type: integer, default: 50, maximum: 200}}
          - {in: query, name: kinds, schema: {type: string}, description: "comma-separated, e.g. note,call"}
          - {in: query, name: include_people, schema: {type: boolean, default: true},
             description: "companies only: add the entries of its people you may see"}
          responses:
            200:
              description: One page of entries
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {type: array, items: {type: object}}
                      next: {type: string, nullable: true}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        contact = self._contact(pk)
        if contact is None:
            return self.response_404()
        try:
            limit = int(request.args.get("limit", 50))
        except ValueError:
            return self.response_400(message="limit: not a number")
        if not 1 <= limit <= timeline.MAX_PAGE:
            return self.response_400(message=f"limit: between 1 and {timeline.MAX_PAGE}")
        kinds = [k for k in request.args.get("kinds", "").split(",") if k] or None
        people = request.args.get("include_people", "true").lower() not in ("0", "false", "no")
        try:
            entries = timeline.entries_of(db.session, contact, kinds=kinds, limit=limit + 1,
                                          before=request.args.get("before") or None,
                                          include_people=people)
        except ContactFieldError as exc:
            return self.response_400(message=f"{exc.field}: {exc.message}")
        page = entries[:limit]
        more = len(entries) > limit
        return self.response(200, result=[entry_json(e) for e in page],
                             next=timeline.cursor_of(page[-1]) if more else None)

    @expose("/<int:pk>/timeline", methods=["POST"])
    @protect()
    @permission_name("post")
    def post_timeline(self, pk):
        """Log a note, call or meeting on the contact.
        ---
        post:
          summary: Log a note, call or meeting on a contact
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [kind, subject]
                  properties:
                    kind: {type: string, enum: [note, call, meeting]}
                    subject: {type: string, maxLength: 255}
                    body: {type: string}
                    occurred_at: {type: string, format: date-time, description: "with a zone; default now"}
          responses:
            201:
              description: The entry logged
              content:
                application/json:
                  schema: {type: object, properties: {result: {type: object}}}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        contact = self._contact(pk)
        if contact is None:
            return self.response_404()
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message="a JSON object is required")
        where = nul_paths(data)
        if where:  # PostgreSQL stores no NUL
            return self.response_422(message={p: ["Text may not contain NUL characters."]
                                              for p in where})
        try:
            entry = timeline.log_activity(
                db.session, contact, str(data.get("kind", "")), str(data.get("subject", "")),
                body=data.get("body") if isinstance(data.get("body"), str) else None,
                occurred_at=_occurred_at(data.get("occurred_at")), author_id=current_actor().user_id)
        except ContactFieldError as exc:
            return self._field_error(exc)
        db.session.commit()
        return self.response(201, result=entry_json(entry))


class CompanyTimelineApi(_TimelineApi):
    route_base = "/api/v1/company"
    contact_model = Company


class PersonTimelineApi(_TimelineApi):
    route_base = "/api/v1/person"
    contact_model = Person
