"""The CRUD view side of screen slots (core/views/screen_slots.py).

FAB builds a view's forms and column lists once, when the view is created;
slots change with the active addons, in every process, without a restart.
So the add/edit forms are properties answering FAB's form extended with the
active fieldsets' fields (one class per set of active addons), and the list,
form and show widgets are completed after FAB built them. A subclass that
changes forms too (contacts' custom fields) overrides `extend_form`.

Other addons' columns on the model (`addon.extend`) are list filters while
their addon is active: the search form and the filters are properties too
(`extend_search_form`, `extend_filters`, per request), and a `ListColumn` of
such a column is a sort key. An inactive extension is never a filter or a
sort key (a request naming it is answered as if it had not).
"""
from __future__ import annotations

from flask import g, has_request_context, render_template, url_for
from flask_appbuilder.forms import GeneralModelConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import inspect, select

from ..addons.model_extension import active_addons, active_fields, hidden_fields
from .extension_filters import with_columns
from .optional_choice import optional_choices
from .screen_slots import Action, Fieldset, ListColumn, Panel, slots_for

FORMS = ("add_form", "edit_form")
FIELDSET_TEMPLATE = "crossdock/slot_fieldset_panel.html"
FORM_TEMPLATE = "crossdock/form_with_slots.html"


def _form_property(name: str):
    def getter(self):
        return self.extend_form(name, self.__dict__.get("_slot_stored_" + name))

    def setter(self, value):
        self.__dict__["_slot_stored_" + name] = value
    return property(getter, setter)


def _extended_property(name: str, extend: str):
    """FAB's stored `name`, answered through the method `extend` (None while FAB builds it)."""
    def getter(self):
        return getattr(self, extend)(self.__dict__.get("_slot_stored_" + name))

    def setter(self, value):
        self.__dict__["_slot_stored_" + name] = value
    return property(getter, setter)


class SlottedView:
    """Mixed into RecordView: every CRUD screen has the slots."""

    add_form = _form_property("add_form")
    edit_form = _form_property("edit_form")
    search_form = _extended_property("search_form", "extend_search_form")
    _filters = _extended_property("_filters", "extend_filters")
    order_columns = _extended_property("order_columns", "extend_order_columns")

    # --- what is active now ------------------------------------------------------
    def _slots(self, kind) -> list:
        return slots_for(type(self), kind)

    def _full_interface(self) -> SQLAInterface:
        """An interface made now: the view's was made before other addons extended the model."""
        cache = self.__dict__.setdefault("_slot_interface", {})
        model = self.datamodel.obj
        if model not in cache:
            cache[model] = SQLAInterface(model, self.datamodel.session)
        return cache[model]

    def slot_label(self, name: str, fieldset: Fieldset | None = None):
        labels = dict(fieldset.labels) if fieldset else {}
        if name in labels:
            return labels[name]
        for field in active_fields(self.datamodel.obj):
            if field.name == name and field.label:
                return field.label
        return self.label_columns.get(name) or name.replace("_", " ").capitalize()

    # --- forms ---------------------------------------------------------------------
    def extend_form(self, name: str, base):
        """FAB's form `base` with the active fieldsets' fields (None while FAB builds it)."""
        fieldsets = self._slots(Fieldset)
        if base is None or not fieldsets:
            return base
        cache = self.__dict__.setdefault("_slot_forms", {})
        key = (name, base, active_addons())
        if key not in cache:
            fields = [f for fs in fieldsets for f in fs.fields]
            labels = {f: self.slot_label(f, fs) for fs in fieldsets for f in fs.fields}
            extra = GeneralModelConverter(self._full_interface()).create_form(
                labels, fields, self.description_columns, self.validators_columns)
            cache[key] = type(base.__name__, (base,),
                              {f: optional_choices(getattr(extra, f)) for f in fields})
        return cache[key]

    def _with_fieldsets(self, widget) -> None:
        fieldsets = self._slots(Fieldset)
        if fieldsets:
            widget.template = FORM_TEMPLATE
            widget.template_args["slot_fieldsets"] = [(fs.title, fs.fields) for fs in fieldsets]

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        widgets = super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)
        self._with_fieldsets(widgets["add"])
        return widgets

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        widgets = super()._get_edit_widget(form, exclude_cols=exclude_cols, widgets=widgets)
        self._with_fieldsets(widgets["edit"])
        return widgets

    # --- list filters and sort keys ------------------------------------------------------
    def extension_columns(self) -> list[str]:
        """The model's active extension columns (not relationships): filterable."""
        return [f.name for f in active_fields(self.datamodel.obj) if f.column is not None]

    def extend_search_form(self, base):
        names = self.extension_columns()
        if base is None or not names:
            return base
        cache = self.__dict__.setdefault("_slot_forms", {})
        key = ("search_form", base, active_addons())
        if key not in cache:
            extra = GeneralModelConverter(self._full_interface()).create_form(
                {n: self.slot_label(n) for n in names}, names)
            cache[key] = type(base.__name__, (base,), {n: getattr(extra, n) for n in names})
        return cache[key]

    def extend_filters(self, base):
        """FAB's filters plus the active extension columns' (a copy per request:
        a request fills the filters it reads); outside a request, FAB's own."""
        if base is None or not has_request_context():
            return base
        names = self.extension_columns()
        if not names:
            return base
        cache = g.setdefault("_slot_filters", {})
        if id(self) not in cache:
            cache[id(self)] = with_columns(base, names)
        return cache[id(self)]

    def extend_order_columns(self, base):
        names = set(self.extension_columns())
        if base is None or not names:
            return base
        return [*base, *(c.name for c in self._slots(ListColumn)
                         if c.name in names and c.name not in base)]

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(form=form, exclude_cols=exclude_cols,
                                             widgets=widgets)
        names = self.extension_columns()
        if names:
            args = widgets["search"].template_args
            args["include_cols"] = [*args["include_cols"],
                                    *(n for n in names if n not in args["include_cols"])]
        return widgets

    # --- list ------------------------------------------------------------------------
    def _get_list_widget(self, filters, **kwargs):
        if kwargs.get("order_column") in hidden_fields(self.datamodel.obj):
            kwargs["order_column"], kwargs["order_direction"] = "", ""
        widgets = super()._get_list_widget(filters, **kwargs)
        columns = self._slots(ListColumn)
        if not columns:
            return widgets
        args = widgets["list"].template_args
        names = [c.name for c in columns]
        model = self.datamodel.obj
        key = inspect(model).primary_key[0]
        pks = list(args["pks"])
        items = {getattr(i, key.key): i for i in self.datamodel.session.scalars(
            select(model).where(key.in_(pks)))} if pks else {}
        interface = self._full_interface()
        rows = []
        for pk, row in zip(pks, args["value_columns"]):
            item = items.get(pk)
            extra = interface.get_values_item(item, names) if item is not None else [""] * len(names)
            rows.append({**row, **dict(zip(names, extra))})
        args["value_columns"] = rows
        args["include_columns"] = [*args["include_columns"], *names]
        args["label_columns"] = {**args["label_columns"],
                                 **{c.name: c.label or self.slot_label(c.name) for c in columns}}
        return widgets

    # --- show page ---------------------------------------------------------------------
    def record_panels(self, item) -> list[Markup]:
        """The show page's panels: the active fieldsets' values, then the panels, by order."""
        entries = []
        interface = self._full_interface()
        for fs in self._slots(Fieldset):
            rows = [(self.slot_label(f, fs), v) for f, v in
                    zip(fs.fields, interface.get_values_item(item, list(fs.fields)))]
            entries.append((fs.order, lambda fs=fs, rows=rows: render_template(
                FIELDSET_TEMPLATE, title=fs.title, rows=rows, fields=fs.fields)))
        for panel in self._slots(Panel):
            context = panel.context(self, item) if panel.context else {}
            if context is None:  # not for this reader (or this record)
                continue
            entries.append((panel.order, lambda p=panel, c=context: render_template(
                p.template, **c, item=item, view=self, pk=self.datamodel.get_pk_value(item))))
        entries.sort(key=lambda e: e[0])
        return [Markup(render()) for _order, render in entries]

    def record_actions(self, pk) -> list[dict]:
        return [{"label": a.label, "icon": a.icon, "post": a.post,
                 "url": url_for(a.endpoint, pk=pk)} for a in self._slots(Action)]
