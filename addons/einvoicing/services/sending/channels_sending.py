"""Every channel's sending, by the company's channel key."""
from __future__ import annotations

from .channel import Channel
from .facturx import FACTURX_PDF
from .fapiao import FAPIAO
from .peppol import PEPPOL
from .sdi import SDI

SENDING: dict[str, Channel] = {c.key: c for c in (PEPPOL, FACTURX_PDF, SDI, FAPIAO)}


def channel_for(key: str) -> Channel:
    return SENDING[key]
