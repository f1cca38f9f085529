"""E-invoicing (电子发票): an issued invoice or credit note as an EN 16931
e-invoice (UBL for Peppol, or Factur-X: a PDF with the CII inside), built
from the invoice and validated by the official rules when it is shown or
handed out (connectors/einvoice). Each customer company says its channel;
Finance keeps the seller's identity. Italy's SdI and China's fapiao have
their protocol clients in connectors/einvoice, not wired here yet."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Enum, String

from addons.contacts.models import Company
from addons.contacts.views.company_view import CompanyView
from addons.invoicing_link.views.invoice_view import InvoiceView
from core.views.screen_slots import Fieldset, Panel

from .services.channels import CHANNELS
from .views.download_view import EinvoiceDownloadView
from .views.einvoice_panel import invoice_einvoice
from .views.seller_view import EinvoiceSellerView

LABELS = {"einvoice_channel": _l("E-invoice channel"),
          "einvoice_endpoint": _l("E-invoice address (Peppol participant)"),
          "einvoice_endpoint_scheme": _l("E-invoice address scheme (EAS)")}


def register(addon):
    # how each customer takes its e-invoices, on contacts' company (its own columns)
    # a select of the channels on the form (a VARCHAR, no database enum type)
    addon.extend(Company, einvoice_channel=Column(Enum(*CHANNELS, native_enum=False,
                                                       create_constraint=False, length=16)),
                 einvoice_endpoint=Column(String(64)),
                 einvoice_endpoint_scheme=Column(String(8)), labels=LABELS)
    addon.extend_screen(CompanyView, Fieldset(_l("E-invoicing"), list(LABELS), order=40,
                                              labels=LABELS))
    addon.view(EinvoiceSellerView, "EinvoiceSeller", label=_l("E-invoicing seller"),
               icon="fa-building", category="Invoicing")  # who the e-invoices name
    addon.view_no_menu(EinvoiceDownloadView)  # UBL, CII, Factur-X of an issued invoice
    # the document's validation and its files, on invoicing's invoice page
    addon.extend_screen(InvoiceView, Panel("einvoicing/invoice_einvoice.html",
                                           context=invoice_einvoice, order=20))
