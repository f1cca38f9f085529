"""The platforms' channels: each verifies and stores what its platform posts
(webhooks.py, public routes `/social/<platform>/<backend id>`), then, in the
hub's job, reads it into an `IncomingLead` and hands it to intake.

- `wechat_official.py` (微信公众号), `wecom.py` (企业微信 external contacts),
  `meta.py` (Lead Ads), `linkedin.py` (Lead Sync): per platform its
  `Webhook` (handshake and receive) and its `hub.Inbound` (process);
- `meta_backfill.py`: every 15 minutes, the leads Meta has that we missed;
- `field_mapping.py`: a form's answers to lead fields (per-form settings);
- `delivery.py`: the shapes a webhook is declared with; `stored.py`: what
  is stored (a signed body we cannot read is kept, its job failed with why);
- `backend_rows.py`, `wecom_owners.py`: the backend row, our user for a
  WeCom employee.
Backends are the hub's (connectors/social/backends.py): settings and secrets
live on the backend row, no table of our own.
"""
from connectors import hub
from core.security.request_guard import exempt_from_csrf

from . import linkedin, meta, wechat_official, wecom
from .meta_backfill import META_BACKFILL
from .webhooks import SocialWebhooks

CHANNELS = (wechat_official, wecom, meta, linkedin)


def register(addon) -> None:
    hub.register(*(channel.INBOUND for channel in CHANNELS), META_BACKFILL)
    addon.view_no_menu(SocialWebhooks)  # public: the platforms' signatures are the permission
    for route in SocialWebhooks.ROUTES:
        exempt_from_csrf(f"{SocialWebhooks.__name__}.{route}")  # no session cookie to forge
