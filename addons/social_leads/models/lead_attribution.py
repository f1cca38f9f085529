"""The attribution columns social_leads adds to sales' Lead (`addon.extend`):
where a lead came from, kept as it converts to an opportunity (same row) and
read by its orders through `SalesOrder.lead_id`. `source` and `campaign`,
sales' own columns, take the channel and campaign too."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, String

ATTRIBUTION_FIELDS = ("channel", "form", "qr_scene", "utm_source", "utm_medium",
                      "utm_campaign", "utm_term", "utm_content")
LENGTHS = {"channel": 32, "form": 128, "qr_scene": 64}
LABELS = {"channel": _l("Channel"), "form": _l("Form"), "qr_scene": _l("QR scene"),
          "utm_source": _l("UTM source"), "utm_medium": _l("UTM medium"),
          "utm_campaign": _l("UTM campaign"), "utm_term": _l("UTM term"),
          "utm_content": _l("UTM content")}


def lead_columns() -> dict[str, Column]:
    """New Column objects (one set per mapping), nullable, no default."""
    return {name: Column(String(LENGTHS.get(name, 128))) for name in ATTRIBUTION_FIELDS}
