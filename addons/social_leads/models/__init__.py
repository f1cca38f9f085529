from .consent import Consent  # noqa: F401
from .identity import SocialIdentity  # noqa: F401
from .lead_attribution import ATTRIBUTION_FIELDS, LABELS, lead_columns  # noqa: F401
from .touch import LeadTouch  # noqa: F401
from .web_form import WebForm, WebFormHit  # noqa: F401
