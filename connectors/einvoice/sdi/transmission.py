"""What a FatturaPA needs beyond the EN 16931 `Document`: who transmits, to
which recipient code or PEC, in which format, under which tax regime, and how
exempt lines are classed (Natura). Also SdI's file name rule.

Natura: the 1.2 schema SdI publishes (our XSD) knows N1..N7 only, not the
N2.1/N3.1.. sub-codes of 1.2.1+, so the defaults below are its codes: Z and
K/G are "non imponibili" (N3), E "esenti" (N4), AE reverse charge (N6), O
"non soggette" (N2). Where the law says otherwise for a case, the
`Transmission` overrides per category.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PRIVATE, PUBLIC = "FPR12", "FPA12"  # FormatoTrasmissione: private customer / public administration
PEC_CODE = "0000000"  # CodiceDestinatario when the invoice goes to a PEC address
NATURA = {"Z": "N3", "K": "N3", "G": "N3", "E": "N4", "AE": "N6", "O": "N2"}
# IT + the transmitter's fiscal code (11-16) or a foreign id (2-28), "_", 5 of A-Z 0-9
# (SdI allows up to 5; we always write 5, as the brief and the samples do)
FILE_NAME = re.compile(r"^(?:IT[A-Z0-9]{11,16}|(?!IT)[A-Z]{2}[A-Za-z0-9]{2,28})_[A-Z0-9]{5}\.xml$")


@dataclass(frozen=True)
class Transmission:
    """DatiTrasmissione and the Italian data of one FatturaPA file.

    `progressivo`: the sender's unique file counter (5 of A-Z 0-9), also in the
    file name; `transmitter_country`/`transmitter_code`: IdTrasmittente (the
    fiscal code of whoever sends, often the seller); `recipient_code`: the 7
    characters (6 for FPA12) the customer registered with SdI (ignored when
    `pec` is given: the code is then "0000000"); `buyer_fiscal_code`: CodiceFiscale of the buyer (their VAT id,
    if any, comes from the Document); `natura`: {EN 16931 category: N code}
    overriding NATURA."""
    progressivo: str
    transmitter_country: str
    transmitter_code: str
    recipient_code: str = PEC_CODE
    pec: str = ""
    format: str = PRIVATE
    regime: str = "RF01"  # RegimeFiscale: RF01 ordinary
    buyer_fiscal_code: str = ""
    natura: dict[str, str] = field(default_factory=dict)

    @property
    def destination_code(self) -> str:
        """CodiceDestinatario: "0000000" whenever the invoice goes to a PEC address."""
        return PEC_CODE if self.pec else self.recipient_code

    def natura_of(self, category: str) -> str | None:
        """The Natura code of an EN 16931 VAT category; None for taxed ones (S)."""
        return self.natura.get(category) or NATURA.get(category)

    @property
    def file_name(self) -> str:
        """IT<IdCodice>_<progressivo>.xml, as SdI names accepted files."""
        name = f"{self.transmitter_country}{self.transmitter_code}_{self.progressivo}.xml"
        if not FILE_NAME.match(name):
            raise ValueError(f"{name!r} is not a file name SdI accepts "
                             "(country, fiscal code, '_', 5 of A-Z 0-9, '.xml')")
        return name
