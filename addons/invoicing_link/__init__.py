"""Invoicing (发票): invoices, down payments and credit notes of confirmed
orders, numbered gap-free per series and fiscal year when issued and locked
from then on. Sync to a finance system comes next (the hub's invoice jobs)."""
from flask_babel import lazy_gettext as _l

from addons.sales.views.order_view import OrderView
from core.security.audit_actions import declare_actions
from core.views.screen_slots import Panel

from . import listeners
from .api.invoice_api import InvoiceApi
from .views.invoice_labels import EVENT_LABELS
from .views.invoice_panels import invoice_lines, order_invoices
from .views.invoice_print import InvoicePrintView
from .views.invoice_view import InvoiceView

CATEGORY = "Invoicing"


def register(addon):
    listeners.register()  # numbering-independent rules on every flush (listeners.py)
    declare_actions(EVENT_LABELS)
    addon.view(InvoiceView, "Invoices", label=_l("Invoices"), icon="fa-file-text",
               category=CATEGORY, category_label=_l("Invoicing"), category_icon="fa-money")
    addon.view_no_menu(InvoicePrintView)
    addon.api(InvoiceApi)
    # the lines with Issue / Credit note (POST buttons, shown to those who may)
    addon.extend_screen(InvoiceView, Panel("invoicing_link/invoice_lines.html",
                                           context=invoice_lines, order=5))
    # a confirmed order's invoices and its "Invoice" button, on sales' order page
    addon.extend_screen(OrderView, Panel("invoicing_link/order_invoices.html",
                                         context=order_invoices, order=40))
