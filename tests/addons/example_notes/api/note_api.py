from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from ..models.note import Note


class NoteApi(ModelRestApi):
    resource_name = "note"
    datamodel = SQLAInterface(Note)
    list_columns = ["id", "title", "owner.id", "owner.username", "team.id"]
    show_columns = ["id", "title", "body", "owner.id", "owner.username", "team.id"]
    add_columns = edit_columns = ["title", "body", "owner", "team", "parent"]
