"""What the sales events recorded in the audit log read as (declared to core
by register(); the stored action stays its key)."""
from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "stage_move": _l("Moved to another stage"), "won": _l("Marked won"),
    "lost": _l("Marked lost"), "restore": _l("Reopened"),
    "convert": _l("Converted to an opportunity"), "assign": _l("Assigned"),
    "rescore": _l("Scores recomputed"), "done": _l("Marked done"),
    "send": _l("Quotation sent"), "confirm": _l("Order confirmed"),
    "cancel_requested": _l("Cancellation requested"), "cancel": _l("Order cancelled"),
    "cancel_refused": _l("Cancellation refused"), "reset_to_draft": _l("Back to quotation"),
    "base_currency": _l("Made the base currency"), "demo_data_loaded": _l("Demo data loaded"),
}
