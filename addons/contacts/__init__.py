"""Contacts: the customer master (客户管理): companies, people, their phones,
e-mails, tags and tiers, with screens, REST APIs and record rules."""
from flask_babel import gettext, lazy_gettext as _l

from core import rule_errors
from core.addons import backup
from core.security.audit_actions import declare_actions

from . import listeners
from .api.company_api import CompanyApi
from .api.person_api import PersonApi
from .api.timeline_api import CompanyTimelineApi, PersonTimelineApi
from .services import timeline
from .services.load_demo import demo_command
from .services.personal_data import commands as personal_data_commands, contacts_data
from .services.personal_data.provider import personal_data
from .views.company_view import CompanyView
from .views.custom_field_view import CustomFieldView
from .views.duplicate_groups_view import DuplicateGroupsView
from .views.duplicate_settings_view import DuplicateSettingsView
from .views.event_labels import EVENT_LABELS
from .views.import_view import ContactImportView
from .views.merge_view import MergeView
from .views.person_view import PersonView
from .views.personal_data_view import PANEL as PERSONAL_DATA_PANEL, PersonalDataView
from .views.tag_view import TagView
from .views.tier_view import TierView
from .views.timeline_panel import PANELS

CATEGORY = "Contacts"


def register(addon):
    menu = dict(category=CATEGORY, category_label=_l("Contacts"), category_icon="fa-address-book")
    declare_actions(EVENT_LABELS)  # how its audit events read
    rule_errors.translate_with(gettext)  # rules' refusals in the reader's language
    addon.view(CompanyView, "Companies", label=_l("Companies"), icon="fa-building", **menu)
    addon.view(PersonView, "People", label=_l("People"), icon="fa-user", **menu)
    addon.view(TagView, "Contact tags", label=_l("Tags"), icon="fa-tags", **menu)
    addon.view(TierView, "Tiers", label=_l("Tiers"), icon="fa-signal", **menu)
    addon.view(CustomFieldView, "Custom fields", label=_l("Custom fields"), icon="fa-sliders",
               **menu)
    addon.view(ContactImportView, "Import contacts", label=_l("Import"), icon="fa-upload", **menu)
    addon.view(DuplicateSettingsView, "Duplicate settings", label=_l("Duplicate settings"),
               icon="fa-clone", **menu)
    addon.view(DuplicateGroupsView, "Duplicate contacts", label=_l("Duplicates"),
               icon="fa-clone", **menu)
    addon.view_no_menu(MergeView)
    addon.view_no_menu(PersonalDataView)
    addon.extend_screen(CompanyView, *PANELS)  # the same slots other addons fill
    addon.extend_screen(PersonView, *PANELS, PERSONAL_DATA_PANEL)
    addon.api(CompanyApi)
    addon.api(PersonApi)
    addon.api(CompanyTimelineApi)
    addon.api(PersonTimelineApi)
    addon.command(demo_command)  # crossdock contacts demo
    addon.command(personal_data_commands.export_command)  # ...export-personal-data
    addon.command(personal_data_commands.erase_command)  # ...erase-personal-data
    personal_data.add(addon.name, contacts_data.PROVIDER)  # other addons add theirs
    # timeline entries linking to an uninstalled addon's records go into its backup
    backup.add_related_rows(timeline.entries_of_addons)
    listeners.register()  # session listeners, each with what it enforces: listeners.py
