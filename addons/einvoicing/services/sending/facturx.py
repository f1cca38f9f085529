"""Channel `facturx`: the invoice as a Factur-X PDF (EN 16931 CII inside a
readable PDF/A-3), through the access point (backend kind `peppol_ap`) to
the buyer's e-mail address: the access point's API takes the PDF's CII as
the document and the PDF as its attachment, routed by e-mail
(connectors/einvoice/peppol/submission.py says why)."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext

from .. import einvoice_files
from ..channels import FACTURX
from . import access_point
from .answers import pull_of
from .channel import Built, Channel, NotBuildable
from .en16931 import build_en16931


def build(session, invoice, submission) -> Built:
    company = invoice.company
    email = next((e.email for e in company.emails), None) if company is not None else None
    if not email:
        raise NotBuildable(gettext("%(customer)s has no e-mail address: a Factur-X invoice "
                                   "goes to the customer by e-mail",
                                   customer=company.name if company is not None
                                   else str(invoice.person)))
    built, _document = build_en16931(session, invoice, einvoice_files.FACTURX)
    return replace(built, routing={"emails": [email]})


_FACTURX = Channel(FACTURX, "peppol_ap", build, access_point.send)
FACTURX_PDF = replace(_FACTURX, answers=(pull_of(_FACTURX, access_point.results),))
