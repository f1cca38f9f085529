"""A lead's status as a word inside a refusal's sentence ("X is lost:
restore it first"), in the reader's language; the badge labels are the
views' (views/lead_labels.py)."""
from flask_babel import lazy_gettext as _l

from ...models.lead import LOST, OPEN, WON

_WORDS = {OPEN: _l("open"), WON: _l("won"), LOST: _l("lost")}


def status_word(status: str) -> str:
    return str(_WORDS.get(status, status))
