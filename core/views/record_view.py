"""Base CRUD view for addon models: FAB's ModelView plus the record's history
on its show page and record-rule refusals shown as plain messages."""
from __future__ import annotations

from flask_appbuilder import ModelView, expose, has_access

from .audit_log import history_of


class RecordView(ModelView):
    show_template = "crossdock/show_with_history.html"

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets,
            related_views=self._related_views,
            history=history_of(self.datamodel.obj.__name__, pk))
