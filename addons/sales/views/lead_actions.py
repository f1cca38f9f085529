"""The show page's buttons of a lead/opportunity: stage selector, Won, Lost
(with a required reason), Restore. Each is a POST (CSRF checked by core's
request guard) that calls one service and commits; refusals are flashed, a
row the record rules hide is a 404, a write they refuse a 403."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from sqlalchemy import select

from core.db import db
from core.security.record_rules import may_write

from ..models import LostReason, Stage
from ..models.lead import LEAD, OPEN
from ..services.leads import lead_outcome
from ..services.leads.lead_outcome import OutcomeError
from ..services.leads.stage_moves import StageMoveError, move_to_stage, pipeline_of
from .lead_labels import STATUS_LABELS


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LeadActions:
    """Mixed into LeadView/OpportunityView before RecordView."""

    show_template = "sales/lead_show.html"

    def show_extras(self, pk) -> dict:
        lead = self.datamodel.get(pk, self._base_filters)
        if lead is None:
            return {}
        return {
            "lead": lead,
            "status_label": STATUS_LABELS.get(lead.status, lead.status),
            "may_change": may_write(db.session, lead),
            "stages": [s for s in pipeline_of(db.session, lead.team_id) if not s.is_won],
            "lost_reasons": list(db.session.scalars(
                select(LostReason).where(LostReason.active).order_by(LostReason.name))),
            "is_open": lead.status == OPEN,
            "may_convert": lead.type == LEAD and lead.status == OPEN and hasattr(self, "convert"),
            "lead_endpoint": self.endpoint,
        }

    def _lead_or_404(self, pk):
        lead = self.datamodel.get(pk, self._base_filters)
        if lead is None:
            abort(404)
        return lead

    def _run(self, pk, action, done_message: str):
        lead = self._lead_or_404(pk)
        try:
            action(lead)
            db.session.commit()
            flash(done_message, "success")
        except (OutcomeError, StageMoveError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/move_stage/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def move_stage(self, pk):
        stage_id = _id(request.form.get("stage_id"))
        stage = db.session.get(Stage, stage_id) if stage_id is not None else None

        def act(lead):
            if stage is None:
                raise StageMoveError(gettext("%(lead)s: choose an existing stage", lead=lead.name))
            move_to_stage(db.session, lead, stage)
        return self._run(pk, act, gettext("Stage changed."))

    @expose("/mark_won/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def mark_won(self, pk):
        return self._run(pk, lambda lead: lead_outcome.mark_won(db.session, lead),
                         gettext("Marked as won."))

    @expose("/mark_lost/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def mark_lost(self, pk):
        reason_id = _id(request.form.get("lost_reason_id"))
        reason = db.session.get(LostReason, reason_id) if reason_id is not None else None
        return self._run(
            pk, lambda lead: lead_outcome.mark_lost(db.session, lead, reason,
                                                    request.form.get("note")),
            gettext("Marked as lost."))

    @expose("/restore/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def restore(self, pk):
        return self._run(pk, lambda lead: lead_outcome.restore(db.session, lead),
                         gettext("Restored."))
