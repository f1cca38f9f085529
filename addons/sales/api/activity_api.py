"""REST for activities: /api/v1/activity/ (CRUD) and
``POST /api/v1/activity/<pk>/done`` {"note": "..."} (optional body).

`done_at` and `done_note` are read-only: an activity is completed by the
action only (services/activities/scheduling.py: timeline entry and audited `done`).
Answers of the action: 200 with the activity; 400 malformed body; 403
without the permission or outside the record rules; 404 an activity the
caller cannot see; 409 already done. Creating or editing checks the same
rules as the screens (one parent, a kind, a summary, a due date): 422 naming
the field.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import validate

from core.api import CrossdockModelRestApi
from core.api.fields import utc_text
from core.db import db
from core.security.record_rules import AccessDenied

from ..models.activity import KINDS, Activity
from ..services.activities.scheduling import ActivityError, check, mark_done
from ..views.activity_view import ActivityInterface

WRITTEN = ["kind", "summary", "note", "due_date", "due_time", "remind_at", "owner", "team",
           "lead", "company", "person"]
SHOWN = ["id", "kind", "summary", "note", "due_date", "due_time", "remind_at", "owner.id",
         "owner.username", "team.id", "team.name", "lead.id", "lead.name", "company.id",
         "company.name", "person.id", "person.name", "done_at", "done_note", "created_at"]

DONE_DOC = """Mark an activity done, with an optional note
        ---
        post:
          summary: Mark an open activity done (timeline entry, audited)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: false
            content:
              application/json:
                schema: {type: object, properties: {note: {type: string}}}
          responses:
            200:
              description: The activity, done
              content:
                application/json:
                  schema: {type: object, properties: {result: {type: object}}}
            400: {$ref: '#/components/responses/CrossdockError400'}
            401: {$ref: '#/components/responses/CrossdockError401'}
            403: {$ref: '#/components/responses/CrossdockError403'}
            404: {$ref: '#/components/responses/CrossdockError404'}
            409: {$ref: '#/components/responses/CrossdockError409'}
        """


def activity_json(a: Activity) -> dict:
    return {"id": a.id, "kind": a.kind, "summary": a.summary, "note": a.note,
            "due_date": a.due_date.isoformat(),
            "due_time": a.due_time.isoformat() if a.due_time else None,
            "remind_at": utc_text(a.remind_at),
            "owner_id": a.owner_id, "team_id": a.team_id, "lead_id": a.lead_id,
            "company_id": a.company_id, "person_id": a.person_id,
            "done_at": utc_text(a.done_at), "done_note": a.done_note}


class ActivityApi(CrossdockModelRestApi):
    resource_name = "activity"
    datamodel = ActivityInterface(Activity)  # capped counts, due_time filters
    openapi_spec_tag = "Activities"
    list_columns = ["id", "kind", "summary", "due_date", "due_time", "remind_at", "owner.id",
                    "owner.username", "team.id", "lead.id", "company.id", "person.id",
                    "done_at"]
    show_columns = SHOWN
    add_columns = edit_columns = WRITTEN
    search_columns = ["kind", "summary", "owner", "team", "lead", "company", "person",
                      "due_date", "done_at", "remind_at"]
    order_columns = ["id", "due_date", "done_at", "created_at"]
    base_order = ("due_date", "asc")
    validators_columns = {"kind": validate.OneOf(KINDS)}
    responses = {**CrossdockModelRestApi.responses, "CrossdockError409": {
        "description": "Conflict: the activity is already done",
        "content": {"application/json": {"schema": {
            "type": "object", "properties": {"message": {"type": "string"}},
            "required": ["message"]}}}}}

    def _checked(self, call, *args):
        try:
            return call(*args)
        except ActivityError as exc:
            db.session.rollback()
            return self.response_422(message={exc.field: [exc.message]})

    def pre_add(self, item):
        check(item, self.datamodel.session)

    pre_update = pre_add

    def post_headless(self):
        return self._checked(super().post_headless)

    def put_headless(self, pk):
        return self._checked(super().put_headless, pk)

    @expose("/<int:pk>/done", methods=["POST"])
    @protect()
    @permission_name("done")
    def done(self, pk):
        activity = self.item_or_none(pk)
        if activity is None:
            return self.response_404()
        note = None
        if request.get_data(cache=True):
            refused = self._refuse_body()
            if refused is not None:
                return refused
            note = request.get_json().get("note")
            if note is not None and not isinstance(note, str):
                return self.response_400(message="note must be text")
        try:
            mark_done(db.session, activity, note)
            db.session.commit()
        except ActivityError as exc:
            db.session.rollback()
            return self.response(409, message=str(exc))
        except AccessDenied as exc:
            db.session.rollback()
            return self.response(403, message=str(exc))
        return self.response(200, result=activity_json(activity))

    done.__doc__ = DONE_DOC
