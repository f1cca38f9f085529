"""FAB's user groups screen with its column labels translated (FAB prints
the column names it has no label for: "Roles", "Label")."""
from __future__ import annotations

from flask_appbuilder.security.views import UserGroupModelView as FabUserGroupModelView
from flask_babel import lazy_gettext as _l


class UserGroupModelView(FabUserGroupModelView):
    """Same class name as FAB's: it is the endpoint and the permission name."""
    label_columns = {"name": _l("Name"), "label": _l("Label"), "description": _l("Description"),
                     "users": _l("Users"), "roles": _l("Roles")}
