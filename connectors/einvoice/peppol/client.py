"""Storecove's REST API v2 as the calls we make, transport only.

Published contract (Storecove API v2, its OpenAPI `DocumentSubmissions`):
- every call carries `Authorization: Bearer <API key>`; JSON both ways;
- `POST /document_submissions` answers 200 `{"guid": <submission guid>}`;
  a refusal is 422 with a list of `{"source", "details"}` (ErrorModel);
  401/403 when the key is wrong; an `idempotencyGuid` seen before is
  refused with 422 and nothing is processed again;
- `GET /document_submissions/{guid}/evidence/{sending|clearing}` answers 200
  with `{"network", "receiver", "sender", "evidence": {...}, "documents":
  [...]}` once the document was delivered, 404 before.
Transport trouble, 5xx and 429 are transient (Retry-After honoured by the
hub); other 4xx are permanent with Storecove's words.
"""
from __future__ import annotations

import requests

from ...errors import PermanentError
from ...http import raise_for_client_error, send

# the ErrorModel `source` of a repeated idempotency guid: the field's name (the
# published API says "422" and names no words; check against the sandbox)
DUPLICATE_SOURCE = "idempotencyGuid"


class Refused(PermanentError):
    """Storecove refused the request (422): its findings, `[(source, details)]`."""

    def __init__(self, message: str, findings: list[tuple[str, str]]):
        super().__init__(message, details={"findings": [list(f) for f in findings]})
        self.findings = findings

    @property
    def duplicate(self) -> bool:
        """Refused only because the idempotency guid was submitted before."""
        return bool(self.findings) and all(s == DUPLICATE_SOURCE for s, _ in self.findings)


class StorecoveClient:
    def __init__(self, url: str, api_key: str):
        self.url = url.rstrip("/")
        self.what = f"Storecove at {self.url}"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {api_key}",
                                     "Accept": "application/json"})

    def submit(self, body: dict) -> str:
        """POST a document submission; Storecove's guid for it."""
        response = send(self.session, "POST", f"{self.url}/document_submissions",
                        what=self.what, json=body)
        self._raise_refusal(response)
        guid = (response.json() or {}).get("guid")
        if not guid:
            raise PermanentError(f"{self.what} took the document but answered no guid")
        return str(guid)

    def evidence(self, guid: str, kind: str = "sending") -> dict | None:
        """The submission's evidence, or None while there is none (404)."""
        response = send(self.session, "GET",
                        f"{self.url}/document_submissions/{guid}/evidence/{kind}",
                        what=self.what)
        if response.status_code == 404:
            return None
        self._raise_refusal(response)
        return response.json() or {}

    def _raise_refusal(self, response: requests.Response) -> None:
        if response.status_code < 400:
            return
        findings = _findings(response)
        words = "; ".join(f"{s}: {d}" if s else d for s, d in findings)
        if response.status_code == 422:
            raise Refused(f"{self.what} refused the document: {words or 'HTTP 422'}", findings)
        raise_for_client_error(response, self.what, words)


def _findings(response: requests.Response) -> list[tuple[str, str]]:
    try:
        body = response.json()
    except ValueError:
        return [("", response.text[:300])] if response.text.strip() else []
    rows = body if isinstance(body, list) else [body]
    return [(str(r.get("source") or ""), str(r.get("details") or r.get("message") or r))
            if isinstance(r, dict) else ("", str(r)) for r in rows]
