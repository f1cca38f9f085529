"""Sales (销售管理): from first touch to confirmed order. Leads and opportunities
on per-team pipelines, activities, assignment rules, lead scoring, products,
price lists, taxes and currencies, quotations and orders (confirming one records
hub jobs that sync it to the ERP), and a sales dashboard."""
from flask_babel import gettext, lazy_gettext as _l

from addons.contacts.services.personal_data.provider import (
    personal_data as contacts_personal_data)
from core import rule_errors
from core.security.audit_actions import declare_actions

from . import listeners
from .api.activity_api import ActivityApi
from .api.catalog_api import (CurrencyApi, CurrencyRateApi, PriceListApi, PriceListItemApi,
                              PricingApi, ProductApi, TaxApi)
from .api.lead_api import LeadApi
from .api.order_api import OrderApi
from .services import personal_data
from .services.erp_sync import erp_check_command, erp_resend_command, register_with_hub
from .services.leads.lead_assignment import assign_command
from .services.seeding.default_data import seed_defaults
from .services.timeline_links import detach_deleted
from .services.seeding.load_demo import demo_command
from .views.activity_my import MyActivitiesView
from .views.activity_reminder_bell import ReminderLabel, ReminderView
from .views.activity_view import ActivityView
from .views.assignment_rule_view import AssignmentMemberView, AssignmentRuleView
from .views.currency_view import CurrencyRateView, CurrencyView
from .views.event_labels import EVENT_LABELS
from .views.home_tiles import activities_due, my_pipeline
from .views.lead_view import LeadView, OpportunityView
from .views.lost_reason_view import LostReasonView
from .views.order_print import OrderPrintView
from .views.order_view import CancellationView, OrderView, QuotationView
from .views.pipeline_board import PipelineBoardView
from .views.price_list_view import PriceListItemView, PriceListView
from .views.product_view import ProductView
from .views.sales_dashboard import SalesDashboardView
from .views.scoring_rule_view import ScoringRuleView
from .views.stage_view import StageView
from .views.tax_view import TaxView

CATEGORY = "Sales"


def register(addon):
    menu = dict(category=CATEGORY, category_label=_l("Sales"), category_icon="fa-handshake-o")
    listeners.register()  # rules that follow every flush, whatever path writes (listeners.py)
    register_with_hub()  # confirmed orders -> ERP jobs, their status pulls
    declare_actions(EVENT_LABELS)  # how its audit events read
    contacts_personal_data.add(addon.name, personal_data.PROVIDER)  # export and erasure
    rule_errors.translate_with(gettext)  # rules' refusals in the reader's language

    # the menu, in the order of a salesperson's day
    addon.view(PipelineBoardView, "Pipeline", label=_l("Pipeline"), icon="fa-columns", **menu)
    addon.view(LeadView, "Leads", label=_l("Leads"), icon="fa-bullseye", **menu)
    addon.view(OpportunityView, "Opportunities", label=_l("Opportunities"), icon="fa-star",
               **menu)
    addon.view(MyActivitiesView, "My activities", label=_l("My activities"),
               icon="fa-check-square-o", **menu)
    addon.view(ActivityView, "Activities", label=_l("Activities"), icon="fa-calendar", **menu)
    addon.view(QuotationView, "Quotations", label=_l("Quotations"), icon="fa-file-text-o",
               **menu)
    addon.view(OrderView, "Sales orders", label=_l("Orders"), icon="fa-shopping-cart", **menu)
    addon.view(CancellationView, "Cancellations", label=_l("Cancellations"), icon="fa-ban",
               **menu)
    addon.view(SalesDashboardView, "Sales dashboard", label=_l("Dashboard"),
               icon="fa-bar-chart", **menu)
    register_catalog(addon, menu)
    addon.view(AssignmentRuleView, "Assignment rules", label=_l("Assignment rules"),
               icon="fa-random", **menu)
    addon.view(StageView, "Stages", label=_l("Configuration: stages"), icon="fa-columns",
               **menu)
    addon.view(LostReasonView, "Lost reasons", label=_l("Configuration: lost reasons"),
               icon="fa-ban", **menu)
    addon.view(ScoringRuleView, "Scoring rules", label=_l("Configuration: scoring rules"),
               icon="fa-trophy", **menu)
    register_finance_settings(addon, menu)
    addon.view(ReminderView, "Reminders", label=ReminderLabel(), icon="fa-bell")  # navbar bell
    addon.view_no_menu(AssignmentMemberView)
    addon.view_no_menu(OrderPrintView)
    addon.home_tile(activities_due, order=10)  # the start page
    addon.home_tile(my_pipeline, order=20)

    addon.api(LeadApi)
    addon.api(ActivityApi)
    addon.api(OrderApi)
    addon.on("post_install", seed_defaults)
    addon.on("pre_uninstall", detach_deleted.detach_all)  # no timeline link to a gone page
    addon.command(demo_command)  # crossdock sales demo
    addon.command(assign_command)  # crossdock sales assign
    addon.command(erp_resend_command)  # crossdock sales erp-resend
    addon.command(erp_check_command)  # crossdock sales erp-check


def register_catalog(addon, menu):
    """Products and price lists, with their APIs and the pricing quote."""
    addon.view(ProductView, "Products", label=_l("Catalog: products"), icon="fa-cube", **menu)
    addon.view(PriceListView, "Price lists", label=_l("Catalog: price lists"), icon="fa-tags",
               **menu)
    addon.view_no_menu(PriceListItemView)
    for api in (ProductApi, TaxApi, CurrencyApi, CurrencyRateApi, PriceListApi,
                PriceListItemApi, PricingApi):
        addon.api(api)


def register_finance_settings(addon, menu):
    """Taxes, currencies and their rates (kept by Finance)."""
    addon.view(TaxView, "Taxes", label=_l("Configuration: taxes"), icon="fa-percent", **menu)
    addon.view(CurrencyView, "Currencies", label=_l("Configuration: currencies"),
               icon="fa-money", **menu)
    addon.view_no_menu(CurrencyRateView)
