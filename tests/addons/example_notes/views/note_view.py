from flask import redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.group import aggregate_count
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.views.charts import GroupByChart
from core.views.record_view import RecordView

from ..models.note import Note


class NoteView(RecordView):
    datamodel = SQLAInterface(Note)
    list_columns = ["title", "owner", "team"]
    add_columns = edit_columns = ["title", "body", "owner", "team", "parent"]
    show_columns = ["title", "body", "owner", "team", "parent"]
    search_columns = ["title", "owner"]

    @action("muldelete", "Delete", "Delete the selected notes?", "fa-trash",
            single=False)
    def muldelete(self, items):
        self.datamodel.delete_all(items)
        self.update_redirect()
        return redirect(self.get_redirect())


class NoteChartView(GroupByChart):
    datamodel = SQLAInterface(Note)
    chart_title = "Notes per owner"
    definitions = [{"label": "Owner", "group": "owner_name",
                    "series": [(aggregate_count, "id")]}]
