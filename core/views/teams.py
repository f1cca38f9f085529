"""Sales teams screen: who belongs to which team (the "team" record-rule scope)."""
from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..security.teams import Team


class TeamView(ModelView):
    datamodel = SQLAInterface(Team)
    list_columns = ["name", "members"]
    add_columns = edit_columns = show_columns = ["name", "members"]
    label_columns = {"name": _l("Name"), "members": _l("Members")}
    list_title = _l("Sales Teams")
    show_title = _l("Sales Team")
    add_title = _l("Add Sales Team")
    edit_title = _l("Edit Sales Team")
