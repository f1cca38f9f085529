"""Meta Lead Ads: the webhook (Page object, `leadgen` field) and the Graph
API calls that read a lead.

Webhook, per "Getting Started" (developers.facebook.com/docs/graph-api/
webhooks/getting-started): the subscription check is a GET with
`hub.mode=subscribe`, `hub.verify_token` (ours, set in the app dashboard)
and `hub.challenge`, answered with the challenge; every POST carries
`X-Hub-Signature-256: sha256=` + hex HMAC-SHA256 of the raw body with the
App Secret. "Webhooks for Leadgen": `{"object": "page", "entry": [{"id",
"time", "changes": [{"field": "leadgen", "value": {"leadgen_id",
"form_id", "page_id", "ad_id", "adgroup_id", "created_time"}}]}]}`, several
entries and changes a POST. A delivery not answered 200 is retried (for up
to about a day): dedupe on `leadgen_id`.

Graph API, per "Retrieving Leads" (developers.facebook.com/docs/
marketing-api/guides/lead-ads/retrieving): `GET /v{ver}/{leadgen_id}?
fields=...` -> `created_time`, `field_data` [{"name", "values"}], and the
bulk read `GET /v{ver}/{form_id}/leads?filtering=[{"field":
"time_created","operator":"GREATER_THAN","value": epoch}]`, paged by
`paging.next`. Errors, per "Handling Errors" and "Rate Limiting"
(docs/graph-api/guides/error-handling, overview/rate-limiting): `{"error":
{"message", "type", "code", "error_subcode", "fbtrace_id"}}`; codes 4, 17,
32, 613 and 80000-80014 are rate limits (wait: the
`X-Business-Use-Case-Usage` header's `estimated_time_to_regain_access`,
minutes, when given), 1 and 2 temporary; 190 the access token is invalid
or expired (permanent until someone gives a new one), the rest permanent.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import requests

from ..errors import PermanentError, TransientError
from ..http import send
from .signatures import RequestRefused, hmac_sha256_hex, same

GRAPH = "https://graph.facebook.com"
VERSION = "v21.0"
LEAD_FIELDS = "id,created_time,field_data,form_id,ad_id,adset_id,campaign_id,is_organic,platform"
RATE_LIMITS = {4, 17, 32, 613} | set(range(80000, 80015))
TEMPORARY = {1, 2}
TOKEN_INVALID = 190
RATE_PAUSE = 300.0  # seconds when Meta gives no estimate; its windows roll over an hour


@dataclass(frozen=True)
class LeadgenChange:
    """One `leadgen` change: a lead to fetch."""
    leadgen_id: str
    form_id: str
    page_id: str
    ad_id: str = ""
    adgroup_id: str = ""
    created_time: int = 0


@dataclass(frozen=True)
class MetaLead:
    """A lead as the Graph API gives it; `fields` maps each form field's
    name to its values (multiple-choice fields can have several)."""
    leadgen_id: str
    created_time: str
    fields: dict[str, tuple[str, ...]]
    form_id: str = ""
    ad_id: str = ""
    adset_id: str = ""
    campaign_id: str = ""
    is_organic: bool = False
    platform: str = ""


def verify_subscription(query: Mapping[str, str], verify_token: str) -> str:
    """The `hub.challenge` to answer when the GET is our subscription's."""
    if query.get("hub.mode") != "subscribe":
        raise RequestRefused(f"hub.mode is {query.get('hub.mode')!r}, not 'subscribe'")
    if not same(verify_token, query.get("hub.verify_token")):
        raise RequestRefused("hub.verify_token is not ours")
    return query.get("hub.challenge", "")


def check_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Refuse a POST whose X-Hub-Signature-256 is not ours over the raw body."""
    if not header or not header.startswith("sha256="):
        raise RequestRefused("no X-Hub-Signature-256 sha256= header")
    if not same(hmac_sha256_hex(app_secret, raw_body), header[len("sha256="):]):
        raise RequestRefused("X-Hub-Signature-256 does not match: not signed with our App Secret")


def leadgen_changes(raw_body: bytes) -> list[LeadgenChange]:
    """Every leadgen change in a (verified) delivery, in order. ValueError
    when the body is not a Page webhook payload."""
    try:
        payload = json.loads(raw_body)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(payload, dict) or payload.get("object") != "page":
        raise ValueError("not a Page webhook payload (object is not 'page')")
    found = []
    for entry in payload.get("entry") or ():
        for change in (entry or {}).get("changes") or ():
            value = (change or {}).get("value") or {}
            if change.get("field") != "leadgen":
                continue
            if not value.get("leadgen_id"):
                raise ValueError("a leadgen change without leadgen_id")
            found.append(LeadgenChange(
                leadgen_id=str(value["leadgen_id"]), form_id=str(value.get("form_id") or ""),
                page_id=str(value.get("page_id") or entry.get("id") or ""),
                ad_id=str(value.get("ad_id") or ""), adgroup_id=str(value.get("adgroup_id") or ""),
                created_time=int(value.get("created_time") or 0)))
    return found


class GraphLeads:
    """Reads leads with a Page access token that has `leads_retrieval`."""

    def __init__(self, access_token: str, *, graph: str = GRAPH, version: str = VERSION):
        self.base = f"{graph.rstrip('/')}/{version}"
        self.what = f"the Graph API at {graph}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {access_token}"

    def lead(self, leadgen_id: str) -> MetaLead:
        return _lead(self._get(f"{self.base}/{leadgen_id}", {"fields": LEAD_FIELDS}))

    def page(self) -> str:
        """`GET /me` with the Page token: "<name> (<id>)", the "test connection"."""
        me = self._get(f"{self.base}/me", {"fields": "id,name"})
        return f"{me.get('name', '?')} ({me.get('id', '?')})"

    def leads_since(self, form_id: str, since: int) -> Iterator[MetaLead]:
        """The form's leads created after `since` (epoch seconds), every page:
        the backfill for leads whose webhook we missed."""
        filtering = json.dumps([{"field": "time_created", "operator": "GREATER_THAN",
                                 "value": int(since)}])
        url, params = f"{self.base}/{form_id}/leads", {"fields": LEAD_FIELDS,
                                                       "filtering": filtering}
        while url:
            page = self._get(url, params)
            yield from (_lead(row) for row in page.get("data") or ())
            url, params = (page.get("paging") or {}).get("next"), None  # next carries its query

    def _get(self, url: str, params: dict | None) -> dict:
        response = send(self.session, "GET", url, what=self.what, params=params)
        try:
            answer = response.json()
        except ValueError:
            raise PermanentError(f"{self.what} answered no JSON (HTTP {response.status_code})") \
                from None
        if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
            raise _graph_error(answer["error"], response, self.what)
        if response.status_code >= 400:
            raise PermanentError(f"{self.what}: HTTP {response.status_code}")
        return answer


def _lead(row: dict) -> MetaLead:
    return MetaLead(
        leadgen_id=str(row.get("id") or ""), created_time=str(row.get("created_time") or ""),
        fields={item.get("name", ""): tuple(str(v) for v in item.get("values") or ())
                for item in row.get("field_data") or ()},
        form_id=str(row.get("form_id") or ""), ad_id=str(row.get("ad_id") or ""),
        adset_id=str(row.get("adset_id") or ""), campaign_id=str(row.get("campaign_id") or ""),
        is_organic=bool(row.get("is_organic")), platform=str(row.get("platform") or ""))


def _graph_error(error: dict, response: requests.Response, what: str) -> Exception:
    code, subcode = error.get("code"), error.get("error_subcode")
    words = (f"{what}: {error.get('message', 'error')} (code {code}"
             f"{f', subcode {subcode}' if subcode else ''}, fbtrace_id "
             f"{error.get('fbtrace_id', '?')})")
    if code in RATE_LIMITS:
        return TransientError(words, retry_after=_regain_seconds(response))
    if code in TEMPORARY or error.get("is_transient"):
        return TransientError(words)
    if code == TOKEN_INVALID:
        return PermanentError(words + " - the Page access token is invalid or expired: "
                              "connect the Page again for a new one", details={"code": code})
    return PermanentError(words, details={"code": code, "subcode": subcode})


def _regain_seconds(response: requests.Response) -> float:
    """The longest `estimated_time_to_regain_access` (minutes) in
    X-Business-Use-Case-Usage, in seconds; RATE_PAUSE when there is none."""
    try:
        usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
        minutes = max((float(row.get("estimated_time_to_regain_access") or 0)
                       for rows in usage.values() for row in rows), default=0.0)
    except (ValueError, AttributeError, TypeError):
        minutes = 0.0
    return minutes * 60 if minutes > 0 else RATE_PAUSE
