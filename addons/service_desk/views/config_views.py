"""The desk's configuration and follow-up screens (Service desk menu):
stages, team settings, agents away, SLA policies, working calendars, tags,
canned replies, knowledge-base articles; escalations and ratings (read)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from core.views.record_view import RecordView

from ..models import (CannedReply, DeskAgent, DeskTag, DeskTeam, Escalation, KbArticle, Rating,
                      SlaPolicy, TicketStage, WorkCalendar)
from ..models.desk_team import ASSIGNMENTS
from ..models.stage import KINDS
from ..models.ticket import TYPES
from ..rules.holiday_sets import available
from .labels import (ASSIGNMENT_LABELS, LANGUAGE_LABELS, PRIORITY_LABELS, STAGE_KIND_LABELS,
                     TARGET_LABELS, TYPE_LABELS, choices, word)

LANGUAGES = choices(LANGUAGE_LABELS)


def _boolean(label, default=True):
    # FAB makes a NOT NULL boolean "required", so an unticked box would not save
    return BooleanField(label, default=default)


class _Form(RecordView):
    """Extra form fields the same on add and edit."""
    form_fields: dict = {}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = dict(self.form_fields)
        self.edit_form_extra_fields = dict(self.form_fields)
        super().__init__(*args, **kwargs)


class TicketStageView(_Form):
    datamodel = SQLAInterface(TicketStage)
    list_title, show_title = _l("Ticket stages"), _l("Ticket stage")
    label_columns = {"name": _l("Name"), "name_zh": _l("Chinese name"), "kind": _l("Kind"),
                     "sequence": _l("Sequence"), "team": _l("Team"), "active": _l("Active")}
    list_columns = add_columns = edit_columns = show_columns = [
        "name", "name_zh", "kind", "sequence", "team", "active"]
    formatters_columns = {"kind": word(STAGE_KIND_LABELS)}
    base_order = ("sequence", "asc")
    form_fields = {"kind": SelectField(_l("Kind"), choices=choices(STAGE_KIND_LABELS, KINDS)),
                   "active": _boolean(_l("Active"))}


class DeskTeamView(_Form):
    datamodel = SQLAInterface(DeskTeam)
    list_title, show_title = _l("Team settings"), _l("Team settings")
    label_columns = {"team": _l("Team"), "manager": _l("Manager"),
                     "assignment": _l("Assignment"), "calendar": _l("Working calendar")}
    list_columns = add_columns = edit_columns = show_columns = [
        "team", "manager", "assignment", "calendar"]
    formatters_columns = {"assignment": word(ASSIGNMENT_LABELS)}
    form_fields = {"assignment": SelectField(_l("Assignment"),
                                             choices=choices(ASSIGNMENT_LABELS, ASSIGNMENTS))}


class DeskAgentView(_Form):
    datamodel = SQLAInterface(DeskAgent)
    list_title, show_title = _l("Agents away"), _l("Agent")
    label_columns = {"user": _l("Agent"), "away": _l("Away")}
    list_columns = add_columns = edit_columns = show_columns = ["user", "away"]
    form_fields = {"away": _boolean(_l("Away"), default=False)}


class SlaPolicyView(_Form):
    datamodel = SQLAInterface(SlaPolicy)
    list_title, show_title = _l("SLA policies"), _l("SLA policy")
    label_columns = {"name": _l("Name"), "sequence": _l("Sequence"), "active": _l("Active"),
                     "team": _l("Team"), "priority": _l("Priority"), "ticket_type": _l("Type"),
                     "tag": _l("Tag"), "tier": _l("Customer tier"),
                     "first_response_minutes": _l("First response (working minutes)"),
                     "resolution_minutes": _l("Resolution (working minutes)")}
    list_columns = ["name", "team", "priority", "ticket_type", "tag", "tier",
                    "first_response_minutes", "resolution_minutes", "active"]
    add_columns = edit_columns = show_columns = [
        "name", "sequence", "active", "team", "priority", "ticket_type", "tag", "tier",
        "first_response_minutes", "resolution_minutes"]
    formatters_columns = {"priority": word(PRIORITY_LABELS), "ticket_type": word(TYPE_LABELS)}
    form_fields = {
        "ticket_type": SelectField(_l("Type"), choices=choices(TYPE_LABELS, TYPES, blank=True)),
        "active": _boolean(_l("Active"))}

    def pre_add(self, item):
        item.ticket_type = item.ticket_type or None

    pre_update = pre_add


class WorkCalendarView(_Form):
    datamodel = SQLAInterface(WorkCalendar)
    list_title, show_title = _l("Working calendars"), _l("Working calendar")
    label_columns = {"name": _l("Name"), "time_zone": _l("Time zone"),
                     "day_start": _l("Day starts (HH:MM)"), "day_end": _l("Day ends (HH:MM)"),
                     "weekdays": _l("Working weekdays (1 = Monday)"),
                     "holidays": _l("Public holidays")}
    list_columns = add_columns = edit_columns = show_columns = [
        "name", "time_zone", "day_start", "day_end", "weekdays", "holidays"]

    def __init__(self, *args, **kwargs):
        self.form_fields = {"holidays": SelectField(_l("Public holidays"), choices=choices(
            {name: name for name in available()}, blank=True))}
        super().__init__(*args, **kwargs)

    def pre_add(self, item):
        from ..services.sla.calendars import as_calendar

        item.holidays = item.holidays or None
        as_calendar(item)  # refuses an unknown zone, a bad time or weekday

    pre_update = pre_add


class DeskTagView(RecordView):
    datamodel = SQLAInterface(DeskTag)
    list_title, show_title = _l("Ticket tags"), _l("Ticket tag")
    label_columns = {"name": _l("Name")}
    list_columns = add_columns = edit_columns = show_columns = ["name"]


class CannedReplyView(_Form):
    datamodel = SQLAInterface(CannedReply)
    list_title, show_title = _l("Canned replies"), _l("Canned reply")
    label_columns = {"name": _l("Name"), "language": _l("Language"), "body": _l("Text"),
                     "team": _l("Team")}
    list_columns = ["name", "language", "team"]
    add_columns = edit_columns = show_columns = ["name", "language", "team", "body"]
    formatters_columns = {"language": word(LANGUAGE_LABELS)}
    form_fields = {"language": SelectField(_l("Language"), choices=LANGUAGES)}


class KbArticleView(_Form):
    datamodel = SQLAInterface(KbArticle)
    list_title, show_title = _l("Knowledge base"), _l("Article")
    label_columns = {"title": _l("Title"), "language": _l("Language"), "body": _l("Text"),
                     "published": _l("Published"), "updated_at": _l("Updated")}
    list_columns = ["title", "language", "published", "updated_at"]
    add_columns = edit_columns = ["title", "language", "published", "body"]
    show_columns = ["title", "language", "published", "updated_at", "body"]
    search_columns = ["title", "language", "published", "body"]
    formatters_columns = {"language": word(LANGUAGE_LABELS)}
    form_fields = {"language": SelectField(_l("Language"), choices=LANGUAGES),
                   "published": _boolean(_l("Published"), default=False)}


class EscalationView(RecordView):
    datamodel = SQLAInterface(Escalation)
    list_title, show_title = _l("Escalations"), _l("Escalation")
    label_columns = {"ticket": _l("Ticket"), "target": _l("Missed target"),
                     "owner": _l("Manager"), "team": _l("Team"), "summary": _l("Summary"),
                     "created_at": _l("Created"), "done_at": _l("Done")}
    list_columns = show_columns = ["created_at", "ticket", "target", "owner", "team", "summary",
                                   "done_at"]
    edit_columns = ["done_at"]
    formatters_columns = {"target": word(TARGET_LABELS)}
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_edit"]


class RatingView(RecordView):
    datamodel = SQLAInterface(Rating)
    list_title, show_title = _l("Ratings"), _l("Rating")
    label_columns = {"ticket": _l("Ticket"), "score": _l("Score"), "comment": _l("Comment"),
                     "agent": _l("Agent"), "team": _l("Team"), "created_at": _l("Rated")}
    list_columns = show_columns = ["created_at", "ticket", "score", "agent", "team", "comment"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show"]
