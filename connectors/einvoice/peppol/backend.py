"""A Peppol access point as a hub backend (kind `peppol_ap`): Storecove's
API at the backend's `url` (https://api.storecove.com/api/v2), the API key
as its secret, options {"legal_entity_id": <the sender's LegalEntity id at
Storecove>}.

    submit(key, file_name, content, content_type, routing) -> Submitted
    statuses(guids) -> {guid: Submitted}
    test_connection() -> str

`submit` is idempotent on `key`: the idempotency guid is derived from it and
the file, and a guid Storecove already has (the answer to the first try was
lost) is refused 422 with nothing sent twice; that refusal is taken as the
file being there. Storecove's duplicate refusal does not name its own guid,
so such a file is known by our idempotency guid and its evidence cannot be
read back: it stays `submitted` (a known limit of the API).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import PermanentError
from .client import Refused, StorecoveClient
from .submission import idempotency_guid, submission_body

SUBMITTED, DELIVERED = "submitted", "delivered"


@dataclass(frozen=True)
class Submitted:
    """A file at the access point: its guid, where it is (`submitted`: taken,
    not delivered yet; `delivered`: the receiving side took it) and the
    evidence in words."""
    remote_id: str
    status: str
    text: str = ""


class PeppolBackend:
    def __init__(self, url: str, api_key: str, options: dict | None = None):
        options = options or {}
        if not options.get("legal_entity_id"):
            raise PermanentError("a peppol_ap backend needs options {\"legal_entity_id\": ...} "
                                 "(the sender's LegalEntity id at Storecove)")
        self.legal_entity_id = int(options["legal_entity_id"])
        self.client = StorecoveClient(url, api_key)

    def submit(self, key: str, file_name: str, content: bytes, content_type: str,
               routing: dict) -> Submitted:
        body = submission_body(self.legal_entity_id, key, file_name, content, content_type,
                               routing)
        try:
            guid = self.client.submit(body)
        except Refused as refusal:
            if not refusal.duplicate:
                raise
            return Submitted(body["idempotencyGuid"], SUBMITTED,
                             f"already submitted under idempotency guid "
                             f"{body['idempotencyGuid']} (a retry after a lost answer)")
        return Submitted(guid, SUBMITTED)

    def statuses(self, guids: list[str]) -> dict[str, Submitted]:
        """Each submission's sending evidence: delivered once there is some."""
        found = {}
        for guid in guids:
            evidence = self.client.evidence(guid)
            found[guid] = Submitted(guid, SUBMITTED) if evidence is None \
                else Submitted(guid, DELIVERED, _evidence_text(evidence))
        return found

    def test_connection(self) -> str:
        """The key is accepted: a made-up submission guid is answered 404 (not 401/403)."""
        self.client.evidence(idempotency_guid(self.legal_entity_id, "connection-test", b""))
        return f"{self.client.what} accepts the API key (legal entity {self.legal_entity_id})"


def _evidence_text(evidence: dict) -> str:
    proof = evidence.get("evidence") or {}
    network = evidence.get("network") or "?"
    if proof.get("receiving_accesspoint") or proof.get("transmission_id"):
        return (f"delivered over {network} to {proof.get('receiving_accesspoint') or '?'}"
                f" (transmission {proof.get('transmission_id') or '?'})")
    if proof.get("smtp_response"):
        return f"delivered over {network}: {proof['smtp_response']}"
    return f"delivered over {network}"
