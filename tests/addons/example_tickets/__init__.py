"""Example addon used by the tests: tickets whose record rules are expressions
(security/record_rules.py), next to scope rows (security/record_rules.csv)."""
from .api.ticket_api import TicketApi
from .views.ticket_view import TicketView


def register(addon):
    addon.view(TicketView, "Tickets", category="Examples", icon="fa-life-ring")
    addon.api(TicketApi)
