"""Where this installation keeps the official EN 16931 validation artefacts
(`CROSSDOCK_EN16931_ARTEFACTS`; the README says where to get them)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EinvoiceSettings:
    # the unpacked ConnectingEurope/eInvoicing-EN16931 release: ubl/, cii/ inside
    en16931_artefacts: str | None = None
