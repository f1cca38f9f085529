"""Service desk (客户服务 / 工单): tickets from mail, web, phone and the API,
with a thread of public replies and internal notes; SLA targets counted in
each team's working time (Chinese holidays and 调休 included) with breaches
escalated to the team's manager; assignment within a team; satisfaction
ratings by a signed link; canned replies and knowledge-base articles.

Mail comes later through connectors/mail: its routing calls
`services.tickets.from_message` (the seam), which finds or creates the
customer in contacts and the ticket, and reopens a solved one on a reply."""
from flask_babel import lazy_gettext as _l

from addons.contacts.services import timeline
from addons.contacts.services.personal_data.provider import (
    personal_data as contacts_personal_data)
from addons.contacts.views.company_view import CompanyView
from addons.contacts.views.person_view import PersonView
from connectors import hub
from core.security.audit_actions import declare_actions
from core.views.screen_slots import Panel

from . import listeners
from .api.ticket_api import DeskTicketApi
from .services import personal_data
from .services.sla.breaches import SLA_BREACHES
from .views.dashboard_view import DeskDashboardView
from .views.home_tile import my_tickets
from .views.labels import EVENT_LABELS
from .views.config_views import (CannedReplyView, DeskAgentView, DeskTagView, DeskTeamView,
                                 EscalationView, KbArticleView, RatingView, SlaPolicyView,
                                 TicketStageView, WorkCalendarView)
from .views.rating_page import RatingPage
from .views.sla_report_view import SlaReportView
from .views.ticket_panels import customer_tickets, ticket_thread
from .views.ticket_view import DeskTicketView

CATEGORY = "Service desk"


def register(addon):
    listeners.register()  # the rules every flush keeps (listeners.py)
    hub.register(SLA_BREACHES)  # every minute: breached targets flagged, escalated
    declare_actions(EVENT_LABELS)  # how its audit events read
    contacts_personal_data.add(addon.name, personal_data.PROVIDER)  # export and erasure
    addon.on("pre_uninstall", lambda session: timeline.detach_addon(session, "service_desk"))
    addon.view(DeskTicketView, "Tickets", label=_l("Tickets"), icon="fa-life-ring",
               category=CATEGORY, category_label=_l("Service desk"), category_icon="fa-headphones")
    addon.view(EscalationView, "Escalations", label=_l("Escalations"), icon="fa-bell",
               category=CATEGORY)  # breached SLAs, for the team's manager
    addon.view(SlaReportView, "SlaReport", label=_l("SLA report"), icon="fa-bar-chart",
               category=CATEGORY)
    addon.view(DeskDashboardView, "DeskDashboard", label=_l("Dashboard"), icon="fa-dashboard",
               category=CATEGORY)  # ratings per team and agent, backlog by age
    addon.view(RatingView, "Ratings", label=_l("Ratings"), icon="fa-star", category=CATEGORY)
    addon.view(CannedReplyView, "CannedReplies", label=_l("Canned replies"), icon="fa-comment",
               category=CATEGORY)
    addon.view(KbArticleView, "KnowledgeBase", label=_l("Knowledge base"), icon="fa-book",
               category=CATEGORY)
    for view, name, label, icon in (
            (DeskTeamView, "DeskTeams", _l("Team settings"), "fa-users"),
            (DeskAgentView, "DeskAgents", _l("Agents away"), "fa-plane"),
            (TicketStageView, "TicketStages", _l("Ticket stages"), "fa-columns"),
            (SlaPolicyView, "SlaPolicies", _l("SLA policies"), "fa-clock-o"),
            (WorkCalendarView, "WorkCalendars", _l("Working calendars"), "fa-calendar"),
            (DeskTagView, "TicketTags", _l("Ticket tags"), "fa-tags")):
        addon.view(view, name, label=label, icon=icon, category=CATEGORY)
    addon.home_tile(my_tickets, order=30)  # the start page: my open tickets
    addon.view_no_menu(RatingPage)  # /rate/<token>: the customer's rating, no login
    addon.api(DeskTicketApi)  # /api/v1/ticket/ and its messages
    # the thread, reply form, stage and merge on the ticket's own page
    addon.extend_screen(DeskTicketView, Panel("service_desk/ticket_thread.html",
                                              context=ticket_thread, order=5))
    # a customer's tickets on contacts' company and person pages
    for view in (CompanyView, PersonView):
        addon.extend_screen(view, Panel("service_desk/customer_tickets.html",
                                        context=customer_tickets, order=25))
