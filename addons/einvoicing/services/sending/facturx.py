"""Channel `facturx`: the invoice as a Factur-X PDF (EN 16931 CII inside a
readable PDF/A-3)."""
from __future__ import annotations

from .. import einvoice_files
from ..channels import FACTURX
from .channel import Built, Channel, Outgoing, Sent
from .en16931 import build_en16931


def build(session, invoice, submission) -> Built:
    built, _document = build_en16931(session, invoice, einvoice_files.FACTURX)
    return built


def send(client, outgoing: Outgoing) -> Sent:
    raise NotImplementedError


FACTURX_PDF = Channel(FACTURX, "peppol_ap", build, send)
