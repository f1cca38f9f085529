"""REST for leads and opportunities: /api/v1/lead/ (one resource, `type`
lead|opportunity; filter on it, on score, stage, status...).

Status, stage, score, lost fields, closed_at and converted_at are read-only:
they change through the explicit actions, each `POST /api/v1/lead/<pk>/<action>`
calling one service:

- move_stage {"stage_id"}           services/leads/stage_moves.py
- mark_won                          services/leads/lead_outcome.py
- mark_lost {"lost_reason_id", "note"}
- restore
- convert {"company_id" | "create_company": true, ...}  services/leads/lead_conversion.py

Answers: 200 with the lead; 400 malformed body or unknown stage/reason;
403 outside the record rules or without the permission; 404 a lead the caller
cannot see; 409 the lead's state or pipeline forbids it (closed, open, a stage
of another team, already converted).
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import validate

from addons.contacts.services.duplicates.check import as_json
from core.api import CrossdockModelRestApi
from core.api.fields import utc_text
from core.db import db
from core.views.capped_count import CappedCountInterface

from ..models import Lead, LostReason, Stage
from ..models.lead import LEAD, OPPORTUNITY
from ..services.leads import lead_conversion, lead_outcome
from ..services.leads.lead_conversion import ConversionError
from ..services.leads.lead_outcome import OutcomeError
from ..services.leads.stage_moves import StageMoveError, move_to_stage

WRITTEN = ["name", "company", "person", "contact_name", "company_name", "email", "phone",
           "source", "campaign", "region", "country_code", "description", "owner", "team",
           "expected_revenue", "currency", "probability", "expected_close", "priority", "tags"]
READ_ONLY = ["id", "type", "status", "stage.id", "stage.name", "score", "lost_reason.id",
             "lost_reason.name", "lost_note", "closed_at", "created_at", "converted_at"]
SHOWN = [*READ_ONLY, *(c for c in WRITTEN if c not in
                      ("company", "person", "owner", "team", "currency", "tags")),
         "company.id", "company.name", "person.id", "person.name", "owner.id",
         "owner.username", "team.id", "team.name", "currency.code", "tags.id", "tags.name"]

LEAD_RESULT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "type": {"type": "string"}, "status": {"type": "string"},
    "stage": {"type": "object", "nullable": True}, "probability": {"type": "integer"},
    "score": {"type": "integer"},
    "closed_at": {"type": "string", "format": "date-time", "nullable": True},
    "converted_at": {"type": "string", "format": "date-time", "nullable": True},
    "lost_reason": {"type": "object", "nullable": True},
    "company": {"type": "object", "nullable": True},
    "person": {"type": "object", "nullable": True}}}


def lead_json(lead: Lead) -> dict:
    def ref(obj):
        return {"id": obj.id, "name": obj.name} if obj is not None else None
    return {"id": lead.id, "type": lead.type, "name": lead.name, "status": lead.status,
            "stage": ref(lead.stage), "probability": lead.probability, "score": lead.score,
            "closed_at": utc_text(lead.closed_at), "converted_at": utc_text(lead.converted_at),
            "lost_reason": ref(lead.lost_reason), "lost_note": lead.lost_note,
            "company": ref(lead.company), "person": ref(lead.person)}


def action_doc(summary: str, body: dict | None = None) -> str:
    """The OpenAPI YAML of one action (FAB reads it from the docstring)."""
    request_body = ""
    if body is not None:
        props = "\n".join(f"                    {k}: {v}" for k, v in body.items())
        request_body = f"""
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
{props}"""
    return f"""{summary}
        ---
        post:
          summary: {summary}
          parameters:
          - {{in: path, name: pk, required: true, schema: {{type: integer}}}}{request_body}
          responses:
            200:
              description: The lead after the action
              content:
                application/json:
                  schema: {{type: object, properties: {{result: {{type: object}}}}}}
            400: {{$ref: '#/components/responses/CrossdockError400'}}
            401: {{$ref: '#/components/responses/CrossdockError401'}}
            403: {{$ref: '#/components/responses/CrossdockError403'}}
            404: {{$ref: '#/components/responses/CrossdockError404'}}
            409: {{$ref: '#/components/responses/CrossdockError409'}}
        """


def _documented(doc: str):
    def wrap(f):
        f.__doc__ = doc
        return f
    return wrap


class BadBody(ValueError):
    """A malformed action body: answered 400 with the message."""


def body_int(body: dict, key: str, required: bool = True) -> int | None:
    value = body.get(key)
    if value is None:
        if required:
            raise BadBody(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadBody(f"{key} must be an integer id")
    return value


class LeadApi(CrossdockModelRestApi):
    resource_name = "lead"
    datamodel = CappedCountInterface(Lead)  # list counts stop at the cap
    openapi_spec_tag = "Leads and opportunities"
    list_columns = ["id", "type", "name", "company.id", "company.name", "person.id",
                    "person.name", "company_name", "contact_name", "email", "owner.id",
                    "owner.username", "team.id", "stage.id", "stage.name", "status",
                    "expected_revenue", "currency.code", "probability", "expected_close",
                    "score", "priority", "created_at"]
    show_columns = SHOWN
    add_columns = ["type", *WRITTEN]
    edit_columns = WRITTEN  # the type changes by conversion only
    search_columns = ["type", "name", "status", "stage", "team", "owner", "score", "priority",
                      "source", "region", "country_code", "expected_close", "company",
                      "person", "email", "tags"]
    order_columns = ["id", "name", "score", "priority", "probability", "expected_revenue",
                     "expected_close", "created_at"]
    base_order = ("id", "desc")
    validators_columns = {
        "type": validate.OneOf([LEAD, OPPORTUNITY]),
        "probability": validate.Range(0, 100),
        "priority": validate.Range(0, 3),
        "expected_revenue": validate.Range(min=0),
    }
    responses = {**CrossdockModelRestApi.responses, "CrossdockError409": {
        "description": "Conflict: the lead's state or pipeline forbids the action",
        "content": {"application/json": {"schema": {
            "type": "object", "properties": {"message": {"type": "string"}},
            "required": ["message"]}}}}}

    # --- actions --------------------------------------------------------------
    def _act(self, pk: int, action):
        # the datamodel's query carries the record rules: a hidden lead is a 404
        lead = self.item_or_none(pk)
        if lead is None:
            return self.response_404()
        body = {}
        if request.get_data(cache=True):
            refused = self._refuse_body()
            if refused is not None:
                return refused
            body = request.get_json()
        try:
            action(lead, body)
            db.session.commit()
        except BadBody as exc:
            db.session.rollback()
            return self.response_400(message=str(exc))
        except (OutcomeError, StageMoveError) as exc:
            db.session.rollback()
            return self.response(409, message=str(exc))
        except ConversionError as exc:
            db.session.rollback()
            # the lead's state is a conflict; a bad choice of customer is bad input
            return self.response(409 if exc.field in ("type", "status") else 400,
                                 message=str(exc))
        return self.response(200, result=lead_json(lead))

    @expose("/<int:pk>/move_stage", methods=["POST"])
    @protect()
    @permission_name("move_stage")
    @_documented(action_doc("Move an open lead to a stage of its team's pipeline",
                            {"stage_id": "{type: integer}"}))
    def move_stage(self, pk):
        def act(lead, body):
            stage_id = body_int(body, "stage_id")
            stage = db.session.get(Stage, stage_id)
            if stage is None:
                raise BadBody(f"stage_id: no stage #{stage_id}")
            move_to_stage(db.session, lead, stage)
        return self._act(pk, act)

    @expose("/<int:pk>/mark_won", methods=["POST"])
    @protect()
    @permission_name("mark_won")
    @_documented(action_doc("Mark an open lead won (its pipeline's won stage)"))
    def mark_won(self, pk):
        return self._act(pk, lambda lead, body: lead_outcome.mark_won(db.session, lead))

    @expose("/<int:pk>/mark_lost", methods=["POST"])
    @protect()
    @permission_name("mark_lost")
    @_documented(action_doc("Mark an open lead lost, with a required reason",
                            {"lost_reason_id": "{type: integer}", "note": "{type: string}"}))
    def mark_lost(self, pk):
        def act(lead, body):
            reason_id = body_int(body, "lost_reason_id")
            reason = db.session.get(LostReason, reason_id)
            if reason is None:
                raise BadBody(f"lost_reason_id: no lost reason #{reason_id}")
            note = body.get("note")
            if note is not None and not isinstance(note, str):
                raise BadBody("note must be text")
            lead_outcome.mark_lost(db.session, lead, reason, note)
        return self._act(pk, act)

    @expose("/<int:pk>/restore", methods=["POST"])
    @protect()
    @permission_name("restore")
    @_documented(action_doc("Reopen a won or lost lead"))
    def restore(self, pk):
        return self._act(pk, lambda lead, body: lead_outcome.restore(db.session, lead))

    @expose("/<int:pk>/convert", methods=["GET"])
    @protect()
    @permission_name("convert")
    def conversion_candidates(self, pk):
        """Companies and people the lead may be about, before converting it.
        ---
        get:
          summary: Candidate customers of a lead (whole base; another user's contact by name and owner only, without id)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: Candidate companies and people
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      companies: {type: array, items: {type: object}}
                      people: {type: array, items: {type: object}}
            401: {$ref: '#/components/responses/CrossdockError401'}
            403: {$ref: '#/components/responses/CrossdockError403'}
            404: {$ref: '#/components/responses/CrossdockError404'}
        """
        lead = self.item_or_none(pk)
        if lead is None:
            return self.response_404()
        found = lead_conversion.candidates(db.session, lead)
        return self.response(200, companies=[as_json(m) for m in found.companies],
                             people=[as_json(m) for m in found.people])

    @expose("/<int:pk>/convert", methods=["POST"])
    @protect()
    @permission_name("convert")
    @_documented(action_doc(
        "Convert a lead into an opportunity, linking or creating its customer",
        {"company_id": "{type: integer}", "create_company": "{type: boolean}",
         "person_id": "{type: integer}", "create_person": "{type: boolean}"}))
    def convert(self, pk):
        def act(lead, body):
            flags = {}
            for key in ("create_company", "create_person"):
                value = body.get(key, False)
                if not isinstance(value, bool):
                    raise BadBody(f"{key} must be true or false")
                flags[key] = value
            lead_conversion.convert(
                db.session, lead, company_id=body_int(body, "company_id", required=False),
                person_id=body_int(body, "person_id", required=False), **flags)
        return self._act(pk, act)
