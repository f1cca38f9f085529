"""The navigation menu, rendered once per process for each (permissions,
language, active addons) instead of on every page.

FAB renders the menu for every page: a permission check and a translation per
entry, about a sixth of a list page's CPU. What it shows depends only on the
user's role permissions (already read once per request, one query:
core/security/permission_cache.py), the language, the active addons (their
menu condition) and the URL prefix, so those are the key: a changed role,
an addon switched on anywhere, or another language makes a new key and the
menu is rendered again. Nothing expires otherwise; the cache is bounded.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, render_template, request
from markupsafe import Markup

from ..i18n import current_locale

TEMPLATE = "crossdock/navbar_menu_entries.html"
MAX_ENTRIES = 256  # role combinations x languages x addon sets seen by one process

_lock = threading.Lock()


def menu_html() -> Markup:
    appbuilder = current_app.appbuilder
    rendered: OrderedDict = current_app.extensions["crossdock_menus"]
    gate = current_app.extensions["crossdock"].runtime.gate
    key = (appbuilder.sm.permission_key(), current_locale(), gate.active(),
           request.script_root)
    with _lock:
        html = rendered.get(key)
        if html is not None:
            rendered.move_to_end(key)
            return html
    html = Markup(render_template(TEMPLATE, menu=appbuilder.menu))
    with _lock:
        rendered[key] = html
        while len(rendered) > MAX_ENTRIES:
            rendered.popitem(last=False)
    return html


def install(app) -> None:
    app.extensions["crossdock_menus"] = OrderedDict()
    app.add_template_global(menu_html, "crossdock_menu")
