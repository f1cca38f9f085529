"""E-invoicing (电子发票): an issued invoice or credit note leaves as a legally
structured e-invoice through its customer's channel (EN 16931 UBL through a
Peppol access point, Factur-X, FatturaPA through Italy's SdI, a digital
fapiao through a provider), validated before it leaves, sent by the hub
exactly once, and the remote's answers come back onto it
(services/sending/). The protocols are in connectors/einvoice; Finance keeps
the seller's identity and watches Invoicing > E-invoices."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Enum, String

from addons.contacts.models import Company
from addons.contacts.views.company_view import CompanyView
from addons.invoicing_link.services.invoices import issue_hooks
from addons.invoicing_link.views.invoice_view import InvoiceView
from addons.sales.models.product import Product
from addons.sales.views.product_view import ProductView
from core.views.screen_slots import Fieldset, Panel

from .api.submission_api import EinvoiceSubmissionApi
from .services import sending
from .services.channels import CHANNELS
from .services.load_demo import demo_command
from .services.sending.fapiao_documents import fetch_files_command
from .services.sending.pull_command import pull_command
from .views.download_view import EinvoiceDownloadView
from .views.einvoice_panel import invoice_einvoice
from .views.seller_view import EinvoiceSellerView
from .views.submission_view import EinvoiceSubmissionView

LABELS = {"einvoice_channel": _l("E-invoice channel"),
          "einvoice_endpoint": _l("E-invoice address (Peppol participant)"),
          "einvoice_endpoint_scheme": _l("E-invoice address scheme (EAS)"),
          "einvoice_recipient_code": _l("SdI recipient code (Codice destinatario)"),
          "einvoice_pec": _l("PEC address"),
          "einvoice_fiscal_code": _l("Codice fiscale"),
          "fapiao_kind": _l("Fapiao kind (专票 / 普票)")}
PRODUCT_LABELS = {"fapiao_tax_code": _l("Tax classification code (税收分类编码)")}
FAPIAO_KINDS = ("special", "ordinary")


def register(addon):
    # how each customer takes its e-invoices, on contacts' company (its own columns)
    # selects on the form (VARCHARs, no database enum type)
    addon.extend(Company, einvoice_channel=Column(Enum(*CHANNELS, native_enum=False,
                                                       create_constraint=False, length=16)),
                 einvoice_endpoint=Column(String(64)),
                 einvoice_endpoint_scheme=Column(String(8)),
                 einvoice_recipient_code=Column(String(7)), einvoice_pec=Column(String(255)),
                 einvoice_fiscal_code=Column(String(16)),
                 fapiao_kind=Column(Enum(*FAPIAO_KINDS, native_enum=False,
                                         create_constraint=False, length=16)),
                 labels=LABELS)
    addon.extend_screen(CompanyView, Fieldset(_l("E-invoicing"), list(LABELS), order=40,
                                              labels=LABELS))
    addon.extend(Product, fapiao_tax_code=Column(String(19)), labels=PRODUCT_LABELS)
    addon.extend_screen(ProductView, Fieldset(_l("Fapiao"), list(PRODUCT_LABELS), order=40,
                                              labels=PRODUCT_LABELS))
    addon.view(EinvoiceSellerView, "EinvoiceSeller", label=_l("E-invoicing seller"),
               icon="fa-building", category="Invoicing")  # who the e-invoices name
    addon.view(EinvoiceSubmissionView, "EinvoiceSubmissions", label=_l("E-invoices"),
               icon="fa-paper-plane", category="Invoicing")  # by state, rejected first
    addon.api(EinvoiceSubmissionApi)  # /api/v1/einvoice_submission/
    addon.view_no_menu(EinvoiceDownloadView)  # UBL, CII, Factur-X of an issued invoice
    # the document's validation, its files and its sending, on invoicing's invoice page
    addon.extend_screen(InvoiceView, Panel("einvoicing/invoice_einvoice.html",
                                           context=invoice_einvoice, order=20))
    addon.command(demo_command)  # crossdock einvoicing demo: an invoice per channel
    addon.command(pull_command)  # crossdock einvoicing pull: the remotes' answers now
    addon.command(fetch_files_command)  # crossdock einvoicing fetch-files: fapiao files missing
    issue_hooks.add(addon.name, sending.queue_einvoice)  # an issued invoice's e-invoice, queued
    sending.register_with_hub()
