"""Pipeline stages per sales team (Sales > Configuration > Stages)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from wtforms import BooleanField
from wtforms.validators import NumberRange

from core.db import db
from core.views.record_view import RecordView

from ..models import Stage
from ..services.leads.stage_config import check_may_configure


class StageView(RecordView):
    datamodel = SQLAInterface(Stage)
    list_title = _l("Stages")
    show_title, add_title, edit_title = _l("Stage"), _l("Add stage"), _l("Edit stage")
    label_columns = {"name": _l("Name"), "team": _l("Sales team"), "sequence": _l("Sequence"),
                     "probability": _l("Probability (%)"), "is_won": _l("Won stage"),
                     "folded": _l("Folded on the board"), "active": _l("Active")}
    list_columns = ["team", "sequence", "name", "probability", "is_won", "folded", "active"]
    add_columns = edit_columns = show_columns = ["name", "team", "sequence", "probability",
                                                 "is_won", "folded", "active"]
    search_columns = ["name", "team", "is_won", "active"]
    base_order = ("sequence", "asc")
    validators_columns = {"probability": [NumberRange(0, 100)], "sequence": [NumberRange(0)]}

    def __init__(self, *args, **kwargs):
        # FAB makes a NOT NULL boolean "required", so an unticked box would not save
        flags = lambda: {  # noqa: E731 - one set of fields per form
            "is_won": BooleanField(_l("Won stage"), default=False),
            "folded": BooleanField(_l("Folded on the board"), default=False),
            "active": BooleanField(_l("Active"), default=True)}
        self.add_form_extra_fields = flags()
        self.edit_form_extra_fields = flags()
        super().__init__(*args, **kwargs)

    @staticmethod
    def _check(item):
        team = item.team.id if item.team is not None else item.team_id
        check_may_configure(db.session, item, team)
        if inspect(item).persistent and item.team_id != team:
            # the form set the relationship; the column still holds the stored
            # team, and moving a stage away from a team needs that team too
            check_may_configure(db.session, item, item.team_id)

    def pre_add(self, item):
        self._check(item)

    pre_update = pre_delete = pre_add
