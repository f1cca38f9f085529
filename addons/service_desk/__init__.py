"""Service desk (客户服务 / 工单): tickets from mail, web, phone and the API,
with a thread of public replies and internal notes; SLA targets counted in
each team's working time (Chinese holidays and 调休 included) with breaches
escalated to the team's manager; assignment within a team; satisfaction
ratings by a signed link; canned replies and knowledge-base articles.

Mail comes later through connectors/mail: its routing calls
`services.tickets.from_message` (the seam), which finds or creates the
customer in contacts and the ticket, and reopens a solved one on a reply."""
from connectors import hub

from .services.sla.breaches import SLA_BREACHES


def register(addon):
    hub.register(SLA_BREACHES)  # every minute: breached targets flagged, escalated
