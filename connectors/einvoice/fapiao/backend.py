"""Nuonuo as a hub backend (kind `nuonuo`, Integration > Backends): `url` the
services endpoint, `username` the appKey, the secret the appSecret,
`database` the seller's tax number; options {"token": "..."} for a pasted
access token, else the app's own token is fetched from options
{"token_url": ...} (default Nuonuo's published endpoint) and kept
(nuonuo_token.py)."""
from __future__ import annotations

from ...errors import PermanentError
from .nuonuo import NOT_FOUND, QUERY, NuonuoProvider
from .nuonuo_token import TOKEN_URL, FetchedToken, FixedToken
from .nuonuo_wire import NuonuoRefusal

PROBE_ORDER = "CROSSDOCK-PROBE"  # an order number no one issues: the probe reads, never issues


class NuonuoBackend(NuonuoProvider):
    def __init__(self, url: str, *, app_key: str, app_secret: str, taxnum: str,
                 options: dict):
        if not (app_key and app_secret and taxnum):
            raise PermanentError("Nuonuo: the backend needs the appKey (user name), the "
                                 "appSecret (secret) and the seller's tax number (database)")
        token = options.get("token")
        tokens = FixedToken(token) if token else FetchedToken(
            options.get("token_url") or TOKEN_URL, app_key, app_secret)
        super().__init__(app_key=app_key, app_secret=app_secret, token=tokens, taxnum=taxnum,
                         endpoint=url)

    def test_connection(self) -> str:
        """Asks for an order that does not exist: Nuonuo answers "unknown"
        (E9500) only once the signature, the token and the tax number pass."""
        try:
            self.wire.call(QUERY, {"orderNos": [PROBE_ORDER], "isOfferInvoiceDetail": "0"})
        except NuonuoRefusal as refusal:
            if refusal.code != NOT_FOUND:
                raise
        return (f"Nuonuo at {self.wire.endpoint} takes the app {self.wire.app_key}'s "
                f"signature and token for seller {self.wire.taxnum}")
