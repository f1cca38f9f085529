"""Where this installation keeps the official e-invoicing artefacts
(`CROSSDOCK_EN16931_ARTEFACTS`, `CROSSDOCK_SDI_ARTEFACTS`; the README says where
to get them), who may call our SdI endpoint, and the font the invoice PDFs are
set in (`CROSSDOCK_PDF_CJK_FONT`)."""
from __future__ import annotations

from dataclasses import dataclass

# Debian's fonts-wqy-microhei (1.6 MB download): Latin, Greek, Cyrillic and
# Simplified Chinese in one face, so one embedded font covers every invoice
DEBIAN_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@dataclass(frozen=True)
class EinvoiceSettings:
    # the unpacked ConnectingEurope/eInvoicing-EN16931 release: ubl/, cii/ inside
    en16931_artefacts: str | None = None
    # a TrueType font (.ttf, or .ttc: its first face) covering Simplified Chinese
    pdf_cjk_font: str = DEBIAN_CJK_FONT
    # SdI's published WSDLs and XSDs as fatturapa.gov.it lays them out: core/schemas/,
    # soap/SdIRiceviFile/, soap/TrasmissioneFatture/ inside
    sdi_artefacts: str | None = None
    # the subject DN of SdI's client certificate, as the TLS-terminating proxy passes
    # it on after verifying it (mutual TLS is the proxy's job); unset: nobody may call
    sdi_client_subject: str | None = None
