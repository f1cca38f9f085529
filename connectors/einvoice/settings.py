"""Where this installation keeps the official EN 16931 validation artefacts
(`CROSSDOCK_EN16931_ARTEFACTS`; the README says where to get them) and the
font the invoice PDFs are set in (`CROSSDOCK_PDF_CJK_FONT`)."""
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
