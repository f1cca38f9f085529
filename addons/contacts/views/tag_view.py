from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..models import Tag


class TagView(ModelView):
    datamodel = SQLAInterface(Tag)
    list_columns = add_columns = edit_columns = show_columns = ["name"]
    label_columns = {"name": _l("Name")}
