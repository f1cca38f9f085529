"""How a customer takes its e-invoices (the company's `einvoice_channel`):
EN 16931 UBL through a Peppol access point, Factur-X (a PDF with the EN 16931
CII inside), FatturaPA through Italy's SdI, or a digital fapiao through a
provider. Each has its sending in services/sending/<channel>.py."""
from flask_babel import lazy_gettext as _l

PEPPOL_UBL, FACTURX, SDI, FAPIAO = "peppol_ubl", "facturx", "sdi", "fapiao"
CHANNELS = {PEPPOL_UBL: _l("EN 16931 UBL (Peppol BIS Billing 3.0)"),
            FACTURX: _l("Factur-X (PDF with EN 16931 CII)"),
            SDI: _l("FatturaPA through SdI (Italy)"),
            FAPIAO: _l("Digital fapiao 数电发票 (China)")}
