"""Where this installation keeps the official e-invoicing artefacts
(`CROSSDOCK_EN16931_ARTEFACTS`, `CROSSDOCK_SDI_ARTEFACTS`; the README says where
to get them) and who may call our SdI endpoint."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EinvoiceSettings:
    # the unpacked ConnectingEurope/eInvoicing-EN16931 release: ubl/, cii/ inside
    en16931_artefacts: str | None = None
    # SdI's published WSDLs and XSDs as fatturapa.gov.it lays them out: core/schemas/,
    # soap/SdIRiceviFile/, soap/TrasmissioneFatture/ inside
    sdi_artefacts: str | None = None
    # the subject DN of SdI's client certificate, as the TLS-terminating proxy passes
    # it on after verifying it (mutual TLS is the proxy's job); unset: nobody may call
    sdi_client_subject: str | None = None
