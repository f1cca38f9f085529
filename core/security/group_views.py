"""FAB's roles and user groups screens with every column labelled, so that
they show in the user's language (FAB prints the names of the columns it has
no label for: "Groups", "Label")."""
from __future__ import annotations

from flask_appbuilder.security.views import (RoleModelView as FabRoleModelView,
                                             UserGroupModelView as FabUserGroupModelView)
from flask_babel import lazy_gettext as _l


class UserGroupModelView(FabUserGroupModelView):
    """Same class name as FAB's: it is the endpoint and the permission name."""
    label_columns = {"name": _l("Name"), "label": _l("Label"), "description": _l("Description"),
                     "users": _l("Users"), "roles": _l("Roles")}


class RoleModelView(FabRoleModelView):
    """Same class name as FAB's: it is the endpoint and the permission name."""
    label_columns = {**FabRoleModelView.label_columns, "groups": _l("Groups"),
                     "users": _l("Users")}
