"""Base CRUD view for addon models: FAB's ModelView plus the record's history
on its show page, record-rule refusals shown as plain messages, and the
slots other addons fill (core/views/screen_slots.py)."""
from __future__ import annotations

from flask import abort, request
from flask_appbuilder import ModelView, expose, has_access
from sqlalchemy import Integer, inspect

from .audit_log import history_of
from .search_fields import CachedSearchWidget
from .slotted_view import SlottedView


def _key(model, pk):
    """The URL's key as the identity map holds it (an int for an integer key),
    so that reading the record _show loaded again costs no query."""
    keys = inspect(model).primary_key
    if len(keys) == 1 and isinstance(keys[0].type, Integer) and str(pk).isdigit():
        return int(pk)
    return pk


class RecordView(SlottedView, ModelView):
    show_template = "crossdock/show_with_history.html"
    search_widget = CachedSearchWidget

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)  # 404 unless the filters and record rules let it through
        item = self.datamodel.session.get(self.datamodel.obj, _key(self.datamodel.obj, pk))
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets,
            related_views=self._related_views,
            history=history_of(self.datamodel.obj.__name__, pk),
            field_label=self.field_label, field_value=self.field_value,
            record_panels=self.record_panels(item), record_actions=self.record_actions(pk),
            **self.show_extras(pk))

    def field_label(self, column: str):
        """A column's label as the screen shows it (the history names changed
        columns: `owner_id` is the screen's "owner")."""
        for name in (column.removesuffix("_id"), column):  # FAB labels every column
            if name in self.label_columns:
                return self.label_columns[name]
        return column

    def field_value(self, column: str, value):
        """A value the history recorded, shown as the screen shows the column's
        values (its formatter: a kind's label, not its key)."""
        formatter = self.formatters_columns.get(column)
        return formatter(value) if formatter is not None and value is not None else value

    def show_extras(self, pk) -> dict:
        """More variables for the show template (a subclass's extra panels)."""
        return {}

    def _check_action(self, name: str, pks: list[str]) -> None:
        """FAB answers 500 to an unknown action, and hands an action None for a
        row the record rules hide (which then fails with a 500): refuse first."""
        if name not in self.actions:
            abort(400)
        permission = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission, self.class_permission_name):
            return  # FAB itself flashes "access denied"
        for pk in pks:
            if self.datamodel.get(self._deserialize_pk_if_composite(pk)) is None:
                abort(404)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        self._check_action(name, [pk])
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        self._check_action(request.form.get("action", ""), request.form.getlist("rowid"))
        return super().action_post()
