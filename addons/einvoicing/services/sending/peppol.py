"""Channel `peppol_ubl`: the invoice as EN 16931 UBL (Peppol BIS Billing 3.0)
to the buyer's Peppol participant id, through an access point (backend kind
`peppol_ap`); its evidence polled back (access_point.py)."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext

from .. import einvoice_files
from ..channels import PEPPOL_UBL
from . import access_point
from .answers import pull_of
from .channel import Built, Channel, NotBuildable
from .en16931 import build_en16931


def build(session, invoice, submission) -> Built:
    built, document = build_en16931(session, invoice, einvoice_files.UBL)
    buyer = document.buyer
    if not buyer.endpoint or not buyer.endpoint_scheme:
        raise NotBuildable(gettext("%(customer)s has no Peppol participant id (e-invoice "
                                   "address and its scheme on the company)",
                                   customer=buyer.name))
    return Built(built.file_name, built.content, built.content_type, built.problems,
                 routing={"scheme": buyer.endpoint_scheme, "id": buyer.endpoint})


_PEPPOL = Channel(PEPPOL_UBL, "peppol_ap", build, access_point.send)
PEPPOL = replace(_PEPPOL, answers=(pull_of(_PEPPOL, access_point.results),))
