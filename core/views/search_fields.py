"""The list screens' filter inputs, rendered once per process for each
(screen, field, language, choices) instead of on every page.

FAB's search widget renders every filterable column's input into the page
(its script clones one when "Add Filter" is used): a relation's <select>
with all its options, on every list page, whether or not anyone filters;
about a quarter of a list page's CPU. An input of the unfilled search form
depends only on the screen, the field, the language and, for a choice, its
options, so those are the key. A relation's options are still read on every
page (one light query, through the record rules: core/views/relation_choices.py),
so a new tag or user shows at once; only the HTML is kept. Bounded.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.widgets import SearchWidget
from markupsafe import Markup

from ..i18n import current_locale

MAX_ENTRIES = 2048  # screens x fields x languages x option sets seen by one process

_lock = threading.Lock()
_rendered: OrderedDict = OrderedDict()


def _options(field) -> tuple | None:
    """What the field's HTML depends on besides its name and the language;
    None when it is not cacheable (a filled field)."""
    if field.data not in (None, "", [], ()) or field.raw_data:
        return None
    if isinstance(field, QuerySelectField):  # the multiple kind too
        return tuple((pk, str(field.get_label(obj))) for pk, obj in field._get_object_list())
    choices = getattr(field, "choices", None)
    if choices is None:
        return ()
    return tuple((str(c[0]), str(c[1])) if isinstance(c, (tuple, list)) else (str(c),)
                 for c in choices)


def field_html(view_key: str, field) -> Markup:
    options = _options(field)
    if options is None:
        return field()
    key = (view_key, field.name, type(field), current_locale(), options)
    with _lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    html = field()
    with _lock:
        _rendered[key] = html
        while len(_rendered) > MAX_ENTRIES:
            _rendered.popitem(last=False)
    return html


class CachedSearchWidget(SearchWidget):
    """FAB's SearchWidget with each input from `field_html`."""

    def __call__(self, **kwargs):
        form = self.template_args["form"]
        view_key = self.template_args["route_base"]  # one per screen
        dict_filters = self.filters.get_search_filters()
        label_columns, form_fields, search_filters = {}, {}, {}
        for col in self.template_args["include_cols"]:
            label_columns[col] = str(form[col].label.text)
            form_fields[col] = field_html(view_key, form[col])
            search_filters[col] = [str(flt.name) for flt in dict_filters[col]]
        kwargs.update(label_columns=label_columns, form_fields=form_fields,
                      search_filters=search_filters,
                      active_filters=self.filters.get_filters_values_tojson())
        return super(SearchWidget, self).__call__(**kwargs)
