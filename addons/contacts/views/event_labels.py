"""What the contacts events recorded in the audit log read as (declared to
core by register(); the stored action stays its key)."""
from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "custom fields changed": _l("Custom fields changed"),
    "custom field removed": _l("Custom field removed"),
    "merge": _l("Merged"), "import": _l("Imported"), "demo_data_loaded": _l("Demo data loaded"),
    "export_personal_data": _l("Personal data exported"),
    "erase_personal_data": _l("Personal data erased"),
}
