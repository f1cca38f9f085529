"""FAB's words that FAB's own zh catalog lacks (it translates 142 of them):
listed here so that core's extraction puts them into our catalog, which
flask-babel merges after FAB's (core/app.py), and FAB's screens, buttons
and messages show them in Chinese. Nothing imports the list; the strings
keep FAB's msgids exactly, or FAB's gettext calls would not find them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FAB_MESSAGES = (
    # the list, show and edit buttons' screen-reader text (appbuilder/general/lib.html)
    _l("Add"), _l("Show"), _l("Edit"), _l("Delete"),
    _l("Are you sure you want to delete this item?"),
    # user groups (security/views.py, security/manager.py)
    _l("Groups"), _l("List Groups"), _l("Show Group"), _l("Add Group"), _l("Edit Group"),
    _l("User(s) exists in the group, cannot delete"),
    _l("User(s) exists in the role, cannot delete"),
    _l("Either select a role or a group"),
    # users' own screens and messages
    _l("Edit User Information"), _l("User information changed"),
    _l("The user's password for authentication"),
    _l("Database Error"),
    # search filters (models/sqla/filters.py)
    _l("In"), _l("Not In"),
)
