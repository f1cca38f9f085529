"""Activities (活动): the generic list, add and edit screen, with filters by
kind, owner, due date, overdue and done. Forms never write `done_at` or the
done note: completing goes through the POST "done" button (activity_my.py).
"""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TimeField
from wtforms.validators import Optional

from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView
from core.views.time_filters import TimeColumnFilters

from ..models.activity import CALL, KINDS, MEETING, TODO, Activity
from ..services.activities.scheduling import check, today

KIND_LABELS = {CALL: _l("Call"), MEETING: _l("Meeting"), TODO: _l("To-do")}  # the one map

LABELS = {
    "kind": _l("Kind"), "summary": _l("Summary"), "note": _l("Note"),
    "due_date": _l("Due date"), "due_time": _l("Due time"), "remind_at": _l("Remind at"),
    "owner": _l("Assigned to"), "team": _l("Sales team"), "lead": _l("Lead/opportunity"),
    "company": _l("Company"), "person": _l("Contact person"), "done_at": _l("Done at"),
    "done_note": _l("Done note"), "created_at": _l("Created at"),
    "timeline": _l("On the contact's timeline"),  # the history of its "done" event
}
FORM = ["kind", "summary", "due_date", "due_time", "remind_at", "owner", "team", "lead",
        "company", "person", "note"]


def form_fields() -> dict:
    """A kind picker, and a time input FAB's form converter has none for."""
    return {"kind": SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS],
                                default=TODO, widget=Select2Widget()),
            "due_time": TimeField(_l("Due time"), format=["%H:%M", "%H:%M:%S"],
                                  validators=[Optional()],
                                  widget=BS3TextFieldWidget(),
                                  render_kw={"type": "time"})}


class FilterOverdue(BaseFilter):
    """Open and due before today (the value is ignored)."""
    name = _l("Overdue")
    arg_name = "overdue"

    def apply(self, query, value):
        return query.filter(Activity.done_at.is_(None), Activity.due_date < today())


class FilterOpen(BaseFilter):
    name = _l("Is open")
    arg_name = "open"

    def apply(self, query, value):
        return query.filter(Activity.done_at.is_(None))


class FilterDone(BaseFilter):
    name = _l("Is done")
    arg_name = "done"

    def apply(self, query, value):
        return query.filter(Activity.done_at.is_not(None))


class ActivityInterface(TimeColumnFilters, CappedCountInterface):
    """List counts stop at the cap; due_time has filters (FAB has none for a time)."""


class ActivityView(RecordView):
    datamodel = ActivityInterface(Activity, eager_relations=("owner", "lead", "company",
                                                             "person"))
    label_columns = LABELS
    formatters_columns = {"kind": lambda kind: KIND_LABELS.get(kind, kind)}
    list_title = _l("Activities")
    show_title, add_title, edit_title = _l("Activity"), _l("Add activity"), _l("Edit activity")
    list_columns = ["kind", "summary", "due_date", "due_time", "owner", "lead", "company",
                    "person", "done_at"]
    add_columns = edit_columns = FORM
    show_columns = [*FORM, "done_at", "done_note", "created_at"]
    search_columns = ["kind", "summary", "owner", "team", "due_date", "done_at", "lead",
                      "company", "person"]
    order_columns = ["kind", "summary", "due_date", "done_at"]
    base_order = ("due_date", "asc")

    def _init_properties(self):
        super()._init_properties()
        # FAB offers no "is empty" filter: open/done/overdue as filters of their own.
        # FAB finds a URL's filter by its index in the column's list of *all*
        # filters, so they are appended there too (same position as in search).
        extra = {
            "done_at": [FilterOpen("done_at", self.datamodel),
                        FilterDone("done_at", self.datamodel)],
            "due_date": [FilterOverdue("due_date", self.datamodel)],
        }
        self._filters = self.datamodel.get_filters(self.search_columns, search_filters=extra)
        for column, filters in extra.items():
            self._filters._all_filters[column] = [*self._filters._all_filters[column], *filters]

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = form_fields()
        self.edit_form_extra_fields = form_fields()
        super().__init__(*args, **kwargs)

    def pre_add(self, item):
        # FAB flashes the text of an exception raised here and stores nothing
        check(item, self.datamodel.session)

    pre_update = pre_add
