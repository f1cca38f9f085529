"""What a lead's stored keys read as on every screen (the database and REST
keep the keys)."""
from flask_babel import lazy_gettext as _l

from ..models.lead import LEAD, LOST, OPEN, OPPORTUNITY, WON

STATUS_LABELS = {OPEN: _l("Open"), WON: _l("Won"), LOST: _l("Lost")}
TYPE_LABELS = {LEAD: _l("Lead"), OPPORTUNITY: _l("Opportunity")}
FORMATTERS = {"status": lambda key: STATUS_LABELS.get(key, key),
              "type": lambda key: TYPE_LABELS.get(key, key)}
