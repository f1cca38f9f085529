"""LinkedIn Lead Sync: the webhook's challenge and signature, lead
notifications, and reading a lead.

Per "Webhooks" (learn.microsoft.com/linkedin/shared/api-guide/
webhook-validation): LinkedIn validates the URL with a GET
`?challengeCode=<uuid>` (again every 2 hours; 3 failures block it), to be
answered within 3 s with JSON `{"challengeCode", "challengeResponse"}`,
challengeResponse = hex HMAC-SHA256 of the challengeCode with the app's
clientSecret. Each POST has `X-LI-Signature`: "the HMACSHA256 hash of the
JSON-encoded string representation of the POST body prefixed by
hmacsha256=", keyed with the clientSecret, so hex HMAC-SHA256(clientSecret,
"hmacsha256=" + raw body); notifications can come more than once.

Per "Lead Sync" (learn.microsoft.com/linkedin/marketing/lead-sync/leadsync
and lead-sync-schema): a notification is `{"type": "LEAD_ACTION",
"leadGenFormResponse": "urn:li:leadGenFormResponse:<id>", "leadGenForm":
"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:<form>,<version>)",
"owner", "associatedEntity", "leadType", "leadAction": CREATED|DELETED,
"occurredAt" (ms)}`; the lead itself is `GET /rest/leadFormResponses/<id>`
with `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`,
answering `formResponse.answers[]` ({questionId, answerDetails:
{textQuestionAnswer: {answer}} or {multipleChoiceAnswer: {options}}}) and
`consentResponses[]`. Errors are `{"status", "serviceErrorCode", "code",
"message"}`: 429 and 5xx transient, 401 the token expired (60-day member
tokens), 403 a missing r_marketing_leadgen_automation grant, 404 a lead
no longer there, 426 a LinkedIn-Version no longer served: all permanent.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import requests

from ..errors import PermanentError
from ..http import raise_for_client_error, send
from .signatures import RequestRefused, hmac_sha256_hex, same

API = "https://api.linkedin.com/rest"
VERSION = "202601"
SIGNED_PREFIX = "hmacsha256="
RESPONSE_URN = "urn:li:leadGenFormResponse:"
_HINTS = {401: "the access token expired or was revoked: authorise the LinkedIn app again",
          403: "the token lacks r_marketing_leadgen_automation for this owner",
          404: "the lead no longer exists (deleted by the member, or a test lead expired)",
          426: "this LinkedIn-Version is no longer served: update the connector's version"}


@dataclass(frozen=True)
class LeadNotification:
    response_id: str          # the id in urn:li:leadGenFormResponse:<id>
    action: str               # CREATED or DELETED
    form: str                 # the versioned form URN
    lead_type: str
    occurred_at: int          # ms
    owner: dict
    associated_entity: dict

    @property
    def dedupe_key(self) -> str:
        return f"{self.response_id}:{self.action}"


@dataclass(frozen=True)
class LinkedInLead:
    """A lead form response; `answers` by questionId (several options of a
    multiple-choice question joined with ", ")."""
    response_id: str
    form: str
    lead_type: str
    submitted_at: int                  # ms
    answers: dict[int, str]
    consents: dict[int, bool]
    test_lead: bool = False
    owner: dict | None = None


def challenge_answer(query: Mapping[str, str], client_secret: str) -> dict:
    """The JSON body to answer the validation GET with."""
    code = query.get("challengeCode", "")
    if not code:
        raise RequestRefused("no challengeCode")
    return {"challengeCode": code, "challengeResponse": hmac_sha256_hex(client_secret, code)}


def check_signature(raw_body: bytes, header: str | None, client_secret: str) -> None:
    """Refuse a notification whose X-LI-Signature is not ours. Some senders
    put the `hmacsha256=` literal in the header as well; it is skipped."""
    given = (header or "").strip()
    if given.startswith(SIGNED_PREFIX):
        given = given[len(SIGNED_PREFIX):]
    if not same(hmac_sha256_hex(client_secret, SIGNED_PREFIX.encode() + raw_body), given):
        raise RequestRefused("X-LI-Signature does not match: not signed with our client secret")


def notification(raw_body: bytes) -> LeadNotification:
    """The (verified) lead notification; ValueError when it is not one."""
    try:
        payload = json.loads(raw_body)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(payload, dict) or payload.get("type") != "LEAD_ACTION":
        raise ValueError("not a LEAD_ACTION notification")
    urn = str(payload.get("leadGenFormResponse") or "")
    if not urn.startswith(RESPONSE_URN) or len(urn) == len(RESPONSE_URN):
        raise ValueError(f"leadGenFormResponse {urn!r} is not a lead URN")
    return LeadNotification(
        response_id=urn[len(RESPONSE_URN):], action=str(payload.get("leadAction") or ""),
        form=str(payload.get("leadGenForm") or ""), lead_type=str(payload.get("leadType") or ""),
        occurred_at=int(payload.get("occurredAt") or 0), owner=payload.get("owner") or {},
        associated_entity=payload.get("associatedEntity") or {})


class LeadSyncClient:
    """Reads lead form responses with a member token holding
    r_marketing_leadgen_automation."""

    def __init__(self, access_token: str, *, api: str = API, version: str = VERSION):
        self.api = api.rstrip("/")
        self.what = f"LinkedIn at {self.api}"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {access_token}",
                                     "LinkedIn-Version": version,
                                     "X-Restli-Protocol-Version": "2.0.0"})

    def lead(self, response_id: str) -> LinkedInLead:
        url = f"{self.api}/leadFormResponses/{quote(response_id, safe='')}"
        response = send(self.session, "GET", url, what=self.what)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            words = (answer or {}).get("message", "") if isinstance(answer, dict) else ""
            hint = _HINTS.get(response.status_code, "")
            raise_for_client_error(response, self.what, "; ".join(p for p in (words, hint) if p))
        if not isinstance(answer, dict):
            raise PermanentError(f"{self.what} answered no JSON lead (HTTP {response.status_code})")
        return _lead(answer, response_id)


def _lead(row: dict, response_id: str) -> LinkedInLead:
    form = row.get("formResponse") or {}
    answers = {}
    for item in form.get("answers") or ():
        details = item.get("answerDetails") or {}
        text = (details.get("textQuestionAnswer") or {}).get("answer")
        options = (details.get("multipleChoiceAnswer") or {}).get("options")
        answers[int(item.get("questionId"))] = (
            str(text) if text is not None else ", ".join(str(o) for o in options or ()))
    return LinkedInLead(
        response_id=str(row.get("id") or response_id),
        form=str(row.get("versionedLeadGenFormUrn") or ""),
        lead_type=str(row.get("leadType") or ""), submitted_at=int(row.get("submittedAt") or 0),
        answers=answers,
        consents={int(c.get("consentId")): bool(c.get("accepted"))
                  for c in form.get("consentResponses") or ()},
        test_lead=bool(row.get("testLead")), owner=row.get("owner"))
