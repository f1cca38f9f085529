"""Service desk by mail: the glue between service_desk and mail_gateway,
installed by itself once both are (auto_install), and neither names it
(Odoo's glue modules). Mail to the support alias opens a ticket or joins
the one it answers (mail_gateway's `mail_routes`); the service desk's
`ticket_hooks` mail the customer: an acknowledgement with the ticket's
number, each public reply threaded under the customer's mail, and the
rating link when the ticket is solved; and the team's manager when one of
its tickets misses an SLA target."""
from addons.mail_gateway.services import mail_routes
from addons.service_desk.services.tickets import ticket_hooks

from .services.escalation_mail import mail_breach
from .services.support_route import SUPPORT_ROUTE
from .services.ticket_mail import acknowledge, mail_rating_link, mail_reply


def register(addon):
    mail_routes.add(addon.name, SUPPORT_ROUTE)  # support@ -> tickets
    ticket_hooks.opened.add(addon.name, acknowledge)  # "we have it: T-000123"
    ticket_hooks.replied.add(addon.name, mail_reply)  # an agent's public reply, threaded
    ticket_hooks.moved.add(addon.name, mail_rating_link)  # solved: the rating link
    ticket_hooks.breached.add(addon.name, mail_breach)  # the manager: an SLA target missed
