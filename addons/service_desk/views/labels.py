"""What the desk's stored keys read as on every screen (the database and REST
keep the keys)."""
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from ..models.desk_records import FIRST_RESPONSE, RESOLUTION
from ..models.desk_team import LEAST_OPEN, MANUAL, ROUND_ROBIN
from ..models.stage import CLOSED, IN_PROGRESS, NEW, SOLVED, WAITING
from ..models.ticket import API, HIGH, LOW, MAIL, NORMAL, PHONE, URGENT, WEB
from ..models.ticket_message import NOTE, PUBLIC

CHANNEL_LABELS = {MAIL: _l("E-mail"), WEB: _l("Web form"), PHONE: _l("Phone"), API: _l("API")}
PRIORITY_LABELS = {LOW: _l("Low"), NORMAL: _l("Normal"), HIGH: _l("High"), URGENT: _l("Urgent")}
TYPE_LABELS = {"question": _l("Question"), "incident": _l("Incident"),
               "problem": _l("Problem"), "request": _l("Request")}
STAGE_KIND_LABELS = {NEW: _l("New"), IN_PROGRESS: _l("In progress"),
                     WAITING: _l("Waiting for customer"), SOLVED: _l("Solved"),
                     CLOSED: _l("Closed")}
MESSAGE_LABELS = {PUBLIC: _l("Reply"), NOTE: _l("Internal note")}
ASSIGNMENT_LABELS = {ROUND_ROBIN: _l("Round robin"), LEAST_OPEN: _l("Least open tickets"),
                     MANUAL: _l("Manual")}
TARGET_LABELS = {FIRST_RESPONSE: _l("First response"), RESOLUTION: _l("Resolution")}
AGE_LABELS = {"under_1d": _l("Under a day"), "1_3d": _l("1-3 days"), "3_7d": _l("3-7 days"),
              "over_7d": _l("Over a week")}
LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English")}


def word(labels):
    return lambda key: labels.get(key, key)

# how the desk's audit events read (core/security/audit_actions.py)
EVENT_LABELS = {"assign": _l("Assigned"), "merge": _l("Merged"), "rate": _l("Rated")}


def choices(labels: dict, keys=None, blank: bool = False) -> list[SelectChoice]:
    """A select's options from a label map (in `keys` order when given)."""
    options = [SelectChoice(k, labels[k]) for k in (keys if keys is not None else labels)]
    return [SelectChoice("", ""), *options] if blank else options
