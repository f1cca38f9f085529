"""Invoicing (发票): invoices, down payments and credit notes of confirmed
orders, numbered gap-free per series and fiscal year when issued and locked
from then on; pushed to the finance systems that take Crossdock's invoices, or
mirrored from the ERP that invoices itself, payments read back from both
(services/finance_sync/), and reconciled with them (services/reconciliation/)."""
from flask_babel import lazy_gettext as _l

from addons.contacts.services.personal_data.provider import (
    personal_data as contacts_personal_data)
from addons.contacts.views.company_view import CompanyView
from addons.sales.services.orders import confirm_checks
from addons.sales.views.order_view import OrderView, QuotationView
from connectors import hub
from core.security.audit_actions import declare_actions
from core.views.screen_slots import Panel

from . import listeners
from .api.invoice_api import InvoiceApi
from .services import personal_data
from .services.credit.credit_check import check_credit
from .services.debts.overdue import OVERDUE_REMINDERS
from .services.finance_sync import register_with_hub
from .services.invoicing_commands import balance_command, invoice_command, pull_command
from .services.reconciliation.reconcile_command import reconcile_command
from .views.credit_panels import quotation_credit
from .views.credit_view import CreditHoldsView, CreditLimitView, CreditReleaseView
from .views.debtors_view import DebtorsView
from .views.invoice_labels import EVENT_LABELS
from .views.invoice_panels import company_balance, invoice_lines, invoice_sync, order_invoices
from .views.invoice_print import InvoicePrintView
from .views.invoice_view import InvoiceView
from .views.reconciliation_view import ReconciliationView

CATEGORY = "Invoicing"


def register(addon):
    listeners.register()  # numbering-independent rules on every flush (listeners.py)
    register_with_hub()  # issued invoices out, the ERP's invoices and payments back
    hub.register(OVERDUE_REMINDERS)  # hourly: a to-do for the owner of an overdue invoice
    addon.command(invoice_command)  # crossdock invoicing_link invoice SO2026-00001 [--issue]
    addon.command(pull_command)  # crossdock invoicing_link pull
    addon.command(balance_command)  # crossdock invoicing_link balance "Company"
    # crossdock invoicing_link reconcile --backend NAME --from D --to D [--csv FILE]
    addon.command(reconcile_command)
    declare_actions(EVENT_LABELS)
    contacts_personal_data.add(addon.name, personal_data.PROVIDER)  # export and erasure
    addon.view(InvoiceView, "Invoices", label=_l("Invoices"), icon="fa-file-text",
               category=CATEGORY, category_label=_l("Invoicing"), category_icon="fa-money")
    addon.view(DebtorsView, "Debtors", label=_l("Debtors"), icon="fa-exclamation-circle",
               category=CATEGORY)  # who owes what, by age, and its CSV
    addon.view(CreditLimitView, "CreditLimits", label=_l("Credit limits"), icon="fa-tachometer",
               category=CATEGORY)  # per company, or per tier as its companies' default
    addon.view(CreditHoldsView, "CreditHolds", label=_l("Credit holds"), icon="fa-lock",
               category=CATEGORY)  # quotations the limit holds, for Finance to release
    addon.view(CreditReleaseView, "CreditReleases", label=_l("Credit releases"),
               icon="fa-unlock", category=CATEGORY)  # the releases made (read only)
    # confirming an order past its customer's limit warns or is refused (a setting)
    confirm_checks.add(addon.name, check_credit)
    addon.view(ReconciliationView, "Reconciliation", label=_l("Reconciliation"),
               icon="fa-balance-scale", category=CATEGORY)  # ours against the finance system
    addon.view_no_menu(InvoicePrintView)
    addon.api(InvoiceApi)
    # where the invoice is in each finance system, or the reason it is not
    addon.extend_screen(InvoiceView, Panel("invoicing_link/invoice_sync.html",
                                           context=invoice_sync, order=4))
    # the lines with Issue / Credit note (POST buttons, shown to those who may)
    addon.extend_screen(InvoiceView, Panel("invoicing_link/invoice_lines.html",
                                           context=invoice_lines, order=5))
    # a confirmed order's invoices and its "Invoice" button, on sales' order page
    addon.extend_screen(OrderView, Panel("invoicing_link/order_invoices.html",
                                         context=order_invoices, order=40))
    # a quotation against its customer's credit limit, with Finance's Release
    addon.extend_screen(QuotationView, Panel("invoicing_link/quotation_credit.html",
                                             context=quotation_credit, order=35))
    # what the customer owes, by age, on contacts' company page (readers of invoices)
    addon.extend_screen(CompanyView, Panel("invoicing_link/company_balance.html",
                                           context=company_balance, order=15))
