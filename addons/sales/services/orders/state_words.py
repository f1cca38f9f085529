"""An order's state, and what an action would have made of it, as words
inside a refusal's sentence ("SO2026-00003 is confirmed: it cannot be
sent"), in the reader's language; the state badges are the views'
(views/order_view.py STATE_LABELS)."""
from flask_babel import lazy_gettext as _l

from ...models.sales_order import CANCELLED, CONFIRMED, DRAFT, SENT

_STATES = {DRAFT: _l("draft"), SENT: _l("sent"), CONFIRMED: _l("confirmed"),
           CANCELLED: _l("cancelled")}
_DONE = {"send": _l("sent"), "confirm": _l("confirmed"), "reset": _l("reset to draft")}


def state_word(state: str) -> str:
    return str(_STATES.get(state, state))


def done_word(action: str) -> str:
    return str(_DONE.get(action, action))
