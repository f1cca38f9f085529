from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..models import Tier


class TierView(ModelView):
    datamodel = SQLAInterface(Tier)
    list_title = _l("Tiers")
    show_title, add_title, edit_title = _l("Tier"), _l("Add tier"), _l("Edit tier")
    list_columns = ["name", "sequence", "description"]
    add_columns = edit_columns = show_columns = ["name", "sequence", "description"]
    base_order = ("sequence", "asc")
    label_columns = {"name": _l("Name"), "sequence": _l("Sequence"),
                     "description": _l("Description")}
