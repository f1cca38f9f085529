from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.views.record_view import RecordView

from ..models.note import Note


class NoteView(RecordView):
    datamodel = SQLAInterface(Note)
    list_columns = ["title", "owner", "team"]
    add_columns = edit_columns = ["title", "body", "owner", "team"]
    show_columns = ["title", "body", "owner", "team"]
    search_columns = ["title", "owner"]
