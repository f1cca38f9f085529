"""What a job's state reads as, in the reader's language (hub_job keeps the
key): the jobs screen's badges and the refusals of operations.py."""
from flask_babel import lazy_gettext as _l

STATE_LABELS = {"pending": _l("pending"), "queued": _l("queued"), "running": _l("running"),
                "done": _l("done"), "failed": _l("failed"), "cancelled": _l("cancelled")}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))
