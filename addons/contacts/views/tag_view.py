from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..models import Tag


class TagView(ModelView):
    datamodel = SQLAInterface(Tag)
    list_title = _l("Contact tags")
    show_title, add_title, edit_title = _l("Tag"), _l("Add tag"), _l("Edit tag")
    list_columns = add_columns = edit_columns = show_columns = ["name"]
    label_columns = {"name": _l("Name")}
