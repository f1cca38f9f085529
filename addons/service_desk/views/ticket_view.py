"""Tickets (Service desk > Tickets): the list, a ticket's page with its
thread (views/ticket_panels.py), and the POST actions on it: reply or note,
move to a stage, merge into another ticket. A ticket made on the form is
numbered, staged, put under its SLA and assigned as any other
(services/tickets/opening.py); its stage moves only through "Move"."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField

from core.db import db
from core.security.record_rules import AccessDenied
from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models import Ticket, TicketStage
from ..models.ticket import CHANNELS, PRIORITIES, TYPES
from ..services import tickets
from ..services.tickets.opening import prepare, settle
from .labels import CHANNEL_LABELS, PRIORITY_LABELS, TYPE_LABELS, choices, word

LABELS = {"number": _l("Number"), "subject": _l("Subject"), "description": _l("Description"),
          "channel": _l("Channel"), "ticket_type": _l("Type"), "priority": _l("Priority"),
          "company": _l("Company"), "person": _l("Person"), "contact_email": _l("Reply to"),
          "team": _l("Team"), "owner": _l("Assignee"), "stage": _l("Stage"), "tags": _l("Tags"),
          "created_at": _l("Created"), "first_response_at": _l("First response"),
          "solved_at": _l("Solved"), "first_response_due": _l("First response due"),
          "resolution_due": _l("Resolution due"),
          "first_response_breached": _l("First response missed"),
          "resolution_breached": _l("Resolution missed"), "merged_into": _l("Merged into"),
          "sla_policy": _l("SLA policy")}


class DeskTicketView(RecordView):
    route_base = "/tickets"
    # the count stops at the cap: a full COUNT of 200,000 tickets was a third
    # of the page on PostgreSQL (the REST list's interface already did)
    datamodel = CappedCountInterface(Ticket)
    list_title, show_title = _l("Tickets"), _l("Ticket")
    add_title, edit_title = _l("New ticket"), _l("Edit ticket")
    label_columns = LABELS
    list_columns = ["number", "subject", "company", "person", "team", "owner", "stage",
                    "priority", "resolution_due", "resolution_breached"]
    add_columns = ["subject", "description", "channel", "ticket_type", "priority", "company",
                   "person", "contact_email", "team", "owner", "tags"]
    edit_columns = ["subject", "description", "ticket_type", "priority", "owner", "tags",
                    "contact_email"]
    show_columns = ["number", "subject", "description", "channel", "ticket_type", "priority",
                    "company", "person", "contact_email", "team", "owner", "stage", "tags",
                    "sla_policy", "created_at", "first_response_due", "first_response_at",
                    "resolution_due", "solved_at", "first_response_breached",
                    "resolution_breached", "merged_into"]
    search_columns = ["number", "subject", "team", "owner", "stage", "priority", "channel",
                      "company", "person", "resolution_breached", "created_at"]
    formatters_columns = {"channel": word(CHANNEL_LABELS), "priority": word(PRIORITY_LABELS),
                          "ticket_type": word(TYPE_LABELS)}
    base_order = ("id", "desc")

    def __init__(self, *args, **kwargs):
        fields = {
            "channel": SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS, CHANNELS),
                                   default="phone"),
            "priority": SelectField(_l("Priority"), coerce=int, default=1,
                                    choices=choices(PRIORITY_LABELS, PRIORITIES)),
            "ticket_type": SelectField(_l("Type"), choices=choices(TYPE_LABELS, TYPES, blank=True)),
        }
        self.add_form_extra_fields = dict(fields)
        self.edit_form_extra_fields = {k: v for k, v in fields.items() if k != "channel"}
        super().__init__(*args, **kwargs)

    def pre_add(self, item):
        item.ticket_type = item.ticket_type or None
        prepare(db.session, item)

    def pre_update(self, item):
        item.ticket_type = item.ticket_type or None

    def post_add(self, item):
        settle(db.session, item)
        db.session.commit()

    def _ticket(self, pk) -> Ticket:
        ticket = db.session.get(Ticket, pk)  # record rules: None when out of reach
        if ticket is None:
            abort(404)
        return ticket

    def _done(self, pk, call, *args, done: str):
        try:
            call(*args)
            db.session.commit()
            flash(done, "success")
        except (ValueError, AccessDenied) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/reply/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reply")
    def reply(self, pk):
        ticket = self._ticket(pk)
        public = request.form.get("kind", "public") == "public"
        return self._done(pk, lambda: tickets.reply(
            db.session, ticket, self.appbuilder.sm.current_user.id, request.form.get("body", ""),
            public=public), done=gettext("Reply added.") if public else gettext("Note added."))

    @expose("/move/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reply")
    def move(self, pk):
        ticket = self._ticket(pk)
        stage = db.session.get(TicketStage, request.form.get("stage_id", type=int) or 0)
        if stage is None:
            abort(400)
        return self._done(pk, tickets.move, db.session, ticket, stage,
                          done=gettext("Moved to %(stage)s.", stage=stage.label()))

    @expose("/merge/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reply")
    def merge(self, pk):
        """Merge this ticket into the one numbered in the form (the survivor)."""
        ticket = self._ticket(pk)
        number = (request.form.get("into") or "").strip().upper()
        survivor = db.session.scalar(select(Ticket).where(Ticket.number == number))
        if survivor is None:
            flash(gettext("No ticket %(number)s that you may see.", number=number), "danger")
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return self._done(survivor.id, tickets.merge, db.session, survivor, ticket,
                          done=gettext("Merged into %(number)s.", number=survivor.number))
