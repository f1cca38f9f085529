"""How a customer takes its e-invoices (the company's `einvoice_channel`):
EN 16931 UBL (Peppol BIS Billing 3.0) or Factur-X (a PDF with the CII
inside) today; Italy's SdI and China's fapiao have their protocol clients in
connectors/einvoice and are not offered here until they are wired."""
from flask_babel import lazy_gettext as _l

PEPPOL_UBL, FACTURX = "peppol_ubl", "facturx"
CHANNELS = {PEPPOL_UBL: _l("EN 16931 UBL (Peppol BIS Billing 3.0)"),
            FACTURX: _l("Factur-X (PDF with EN 16931 CII)")}
