"""Social leads (社交线索): leads that start on WeChat (公众号, 企业微信), Meta
and LinkedIn lead ads and our embeddable web form arrive in the pipeline,
de-duplicated against leads and contacts, assigned and scored by sales'
rules, and attributed to the channel and campaign they came from.

Every channel stores the platform's request raw with the hub and, in the
hub's job, hands an `services.incoming.IncomingLead` to
`services.intake.take_in` (the one door). The attribution lives on sales'
Lead (extension columns), so it stays through the conversion to an
opportunity and is read by its orders through their `lead_id`."""
from flask_babel import lazy_gettext as _l

from addons.contacts.services import timeline
from addons.contacts.services.personal_data.provider import (
    personal_data as contacts_personal_data)
from addons.contacts.views.person_view import PersonView
from addons.sales.models.lead import Lead
from addons.sales.views.lead_view import LeadView, OpportunityView
from addons.sales.views.order_view import OrderView, QuotationView
from connectors import hub
from core.security.request_guard import exempt_from_csrf
from core.views.screen_slots import Panel

from . import channels
from .models import LABELS, lead_columns
from .services import personal_data
from .services.intake import TIMELINE_KIND
from .services.load_demo import demo_command
from .services.web_form.processing import WEB_FORM_INBOUND
from .views.attribution_panels import lead_attribution, order_attribution, person_identities
from .views.source_report_view import SourceReportView
from .views.web_form_page import WebFormPage
from .views.web_form_view import ConsentView, WebFormView, web_form_snippet

CATEGORY = "Sales"  # sales' menu: its views sit with the leads


def register(addon):
    # channel, form, QR scene and UTM on sales' Lead; source/campaign are sales' own
    addon.extend(Lead, labels=LABELS, **lead_columns())
    timeline.declare_kind(TIMELINE_KIND, _l("Social lead"), "fa-comments")
    addon.on("pre_uninstall", lambda session: timeline.detach_addon(session, "social_leads"))
    hub.register(WEB_FORM_INBOUND)  # a stored web form submission -> intake
    contacts_personal_data.add(addon.name, personal_data.PROVIDER)  # export and erasure
    channels.register(addon)  # WeChat, WeCom, Meta, LinkedIn
    addon.command(demo_command)  # crossdock social_leads demo: a few leads per channel

    addon.view(SourceReportView, "Lead sources", label=_l("Lead sources"),
               icon="fa-bar-chart", category=CATEGORY)
    addon.view(WebFormView, "Web forms", label=_l("Web forms"), icon="fa-wpforms",
               category=CATEGORY)
    addon.view(ConsentView, "Consents", label=_l("Consents"), icon="fa-check-circle",
               category=CATEGORY)
    addon.view_no_menu(WebFormPage)  # /social/form/<id>: the embedded page, no login
    exempt_from_csrf("WebFormPage.submit")  # signed per form instead (rules/form_token.py)
    addon.extend_screen(WebFormView, Panel("social_leads/web_form_snippet.html",
                                           context=web_form_snippet, order=10))

    # where a lead came from: on its page as lead and opportunity, and on its orders
    for view in (LeadView, OpportunityView):
        addon.extend_screen(view, Panel("social_leads/attribution.html",
                                        context=lead_attribution, order=30))
    for view in (QuotationView, OrderView):
        addon.extend_screen(view, Panel("social_leads/attribution.html",
                                        context=order_attribution, order=30))
    addon.extend_screen(PersonView, Panel("social_leads/person_identities.html",
                                          context=person_identities, order=40))
