"""Lost reasons (Sales > Configuration > Lost reasons)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from core.views.record_view import RecordView

from ..models import LostReason


class LostReasonView(RecordView):
    datamodel = SQLAInterface(LostReason)
    list_title = _l("Lost reasons")
    show_title, add_title, edit_title = _l("Lost reason"), _l("Add lost reason"), _l("Edit lost reason")
    label_columns = {"name": _l("Name"), "active": _l("Active")}
    list_columns = add_columns = edit_columns = show_columns = ["name", "active"]
    search_columns = ["name", "active"]
    base_order = ("name", "asc")

    def __init__(self, *args, **kwargs):
        # FAB makes a NOT NULL boolean "required", so an unticked box would not save
        self.add_form_extra_fields = {"active": BooleanField(_l("Active"), default=True)}
        self.edit_form_extra_fields = {"active": BooleanField(_l("Active"), default=True)}
        super().__init__(*args, **kwargs)
