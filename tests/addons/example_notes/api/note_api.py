from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.api import CrossdockModelRestApi

from ..models.note import Note


class NoteApi(CrossdockModelRestApi):
    resource_name = "note"
    datamodel = SQLAInterface(Note)
    list_columns = ["id", "title", "owner.id", "owner.username", "team.id", "parent.title"]
    show_columns = ["id", "title", "body", "owner.id", "owner.username", "team.id"]
    add_columns = edit_columns = ["title", "body", "owner", "team", "parent"]
