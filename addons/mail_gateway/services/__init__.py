"""Mail through the hub: `send_mail` (sending.py), templates (templates.py),
polling (polling.py), the processing of what arrives (inbound.py) and the
`mail_routes` extension point other addons add their handlers to
(routes.py)."""
from .routes import Delivery, MailRoute, mail_routes
from .sending import NoMailAccount, retry, send_mail
from .templates import render

__all__ = ["Delivery", "MailRoute", "NoMailAccount", "mail_routes", "render", "retry",
           "send_mail"]
