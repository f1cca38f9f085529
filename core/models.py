"""Every table of the platform branch, imported in one place for Alembic."""
from flask_appbuilder.security.sqla import models as fab_security  # noqa: F401

from .addons.models import AddonModule, AddonRegistryVersion  # noqa: F401
from .backup.history import BackupRun  # noqa: F401
from .i18n import UserPreference  # noqa: F401
from .security.audit import AuditLog  # noqa: F401
from .security.session_version import user_session_version  # noqa: F401
from .security.teams import Team, team_member  # noqa: F401
