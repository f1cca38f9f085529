"""E-invoice platforms as hub backends (Integration > Backends): one kind per
remote, the client a backend row describes, each with `test_connection()`.

- `sdi`: Italy's SdI; `url` is the SdIRiceviFile endpoint, the WSDLs and XSDs
  come from `CROSSDOCK_SDI_ARTEFACTS` (sdi/client.py).
- `nuonuo`: the Nuonuo open platform; `url` its services endpoint, `username`
  the appKey, the secret the appSecret, `database` the seller's tax number,
  options {"token": ...} or the token fetched with the app's credentials
  (fapiao/backend.py).
- `peppol_ap`: a Peppol access point's submission API, Storecove's
  (peppol/): `url` its API base (https://api.storecove.com/api/v2), the
  secret the API key, options {"legal_entity_id": <the sender's LegalEntity
  id at Storecove>}.
"""
from __future__ import annotations

KINDS = ("sdi", "nuonuo", "peppol_ap")


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict):
    if kind == "sdi":
        from .sdi.backend import SdiBackend
        return SdiBackend(url)
    if kind == "nuonuo":
        from .fapiao.backend import NuonuoBackend
        return NuonuoBackend(url, app_key=username, app_secret=secret, taxnum=database,
                             options=options)
    if kind == "peppol_ap":
        from .peppol.backend import PeppolBackend
        return PeppolBackend(url, api_key=secret, options=options)
    raise ValueError(f"unknown e-invoice kind {kind!r} (known: {', '.join(KINDS)})")
