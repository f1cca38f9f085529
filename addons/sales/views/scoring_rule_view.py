"""Lead scoring rules (Sales > Configuration > Scoring rules). Saving a rule
rescores every lead (services/leads/lead_scoring.py)."""
from __future__ import annotations

from flask import flash
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from wtforms import BooleanField, SelectField

from core.db import db
from core.views.record_view import RecordView

from ..models import ScoringRule
from ..models.scoring_rule import ACTIVITY, FIELD
from ..services.leads.lead_scoring import check_rule, rescore_all
from .activity_view import KIND_LABELS as ACTIVITY_LABELS  # activity kinds, one map

FIELD_LABELS = {"source": _l("Source"), "region": _l("Region"),
                "country_code": _l("Country code"), "priority": _l("Priority"),
                "has_email": _l("Has an e-mail"), "has_phone": _l("Has a phone"),
                "has_company": _l("Has a company"), "tag": _l("Tag")}
KIND_LABELS = {FIELD: _l("Points per field value"), ACTIVITY: _l("Points per done activity")}


def _form_fields() -> dict:
    return {
        "kind": SelectField(_l("Kind"), choices=list(KIND_LABELS.items()),
                            widget=Select2Widget()),
        "field": SelectField(_l("Field"), choices=[("", "")] + list(FIELD_LABELS.items()),
                             widget=Select2Widget(),
                             description=_l("Field rules: which field of the lead")),
        "activity_kind": SelectField(_l("Activity kind"),
                                     choices=[("", "")] + list(ACTIVITY_LABELS.items()),
                                     widget=Select2Widget(),
                                     description=_l("Activity rules: points per done one")),
        "active": BooleanField(_l("Active"), default=True),
    }


class ScoringRuleView(RecordView):
    datamodel = SQLAInterface(ScoringRule)
    list_title = _l("Scoring rules")
    show_title, add_title, edit_title = _l("Scoring rule"), _l("Add scoring rule"), _l("Edit scoring rule")
    label_columns = {"name": _l("Name"), "kind": _l("Kind"), "field": _l("Field"),
                     "value": _l("Value"), "activity_kind": _l("Activity kind"),
                     "points": _l("Points"), "active": _l("Active")}
    description_columns = {"value": _l("e.g. web, 华东, CN, 3 (priority) or a tag name")}
    list_columns = ["name", "kind", "field", "value", "activity_kind", "points", "active"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["name", "kind", "field", "active"]
    formatters_columns = {"kind": lambda v: KIND_LABELS.get(v, v),
                          "field": lambda v: FIELD_LABELS.get(v, v or ""),
                          "activity_kind": lambda v: ACTIVITY_LABELS.get(v, v or "")}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = _form_fields()
        self.edit_form_extra_fields = _form_fields()
        super().__init__(*args, **kwargs)

    def pre_add(self, item):
        item.field = item.field or None
        item.activity_kind = item.activity_kind or None
        check_rule(item)  # FAB shows the message and saves nothing

    pre_update = pre_add

    def _rescore(self, _item=None):
        changed = rescore_all(db.session)
        db.session.commit()
        flash(gettext("Scores recomputed: %(n)d leads changed.", n=changed), "info")

    post_add = post_update = post_delete = _rescore

