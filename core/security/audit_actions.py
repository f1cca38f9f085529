"""What an audit row's action reads as on the audit log and the record
histories (the stored action stays its key). Core labels its own; an addon or
extension declares its events' labels from its register() (`declare_actions`);
an action nobody labelled shows its key."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

_LABELS = {
    "create": _l("Record created"), "update": _l("Record changed"),
    "delete": _l("Record deleted"),
    "login_success": _l("Logged in"), "login_failure": _l("Login failed"),
    "addon_install": _l("Addon installed"), "addon_uninstall": _l("Addon uninstalled"),
    "addon_upgrade": _l("Addon upgraded"), "addon_disable": _l("Addon disabled"),
    "addon_enable": _l("Addon enabled"),
}


def declare_actions(labels: dict) -> None:
    """Label an addon's events: {"stage_move": _l("Moved to a stage"), ...}."""
    _LABELS.update(labels)


def action_label(action):
    """The action as a person reads it, in their language."""
    return _LABELS.get(action, action)
