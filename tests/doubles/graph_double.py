"""A Graph API stand-in for Lead Ads reads, in memory, over real HTTP.

Published contract it follows ("Retrieving Leads", "Handling Errors",
"Rate Limiting" on developers.facebook.com):
- `GET /{version}/me` with a Page token -> the Page's `id` and `name`;
- `GET /{version}/{leadgen_id}?fields=...` -> the lead's `id`,
  `created_time` ("2026-12-01T09:30:00+0000"), `field_data` [{"name",
  "values"}], and the ad fields asked for;
- `GET /{version}/{form_id}/leads?fields=&filtering=[{"field":
  "time_created","operator":"GREATER_THAN","value":epoch}]` -> `{"data",
  "paging": {"cursors": {"before", "after"}, "next"}}`, newest first,
  `next` an absolute URL carrying the query and `after` (absent on the last
  page), `page_size` leads a page;
- the token as `Authorization: Bearer` or `access_token`; errors are
  `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`
  with HTTP 400: 190/463 for an expired token (`expire_token()`), 100/33
  for an id it does not have, 32 "Page request limit reached" with an
  `X-Business-Use-Case-Usage` header (`throttle(n, minutes)`: the next n
  calls).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlencode

from .json_http import Request

TRACE = "AbCdEfGhIjK"


@dataclass
class Lead:
    leadgen_id: str
    form_id: str
    created: int                          # epoch seconds
    fields: dict[str, list[str]]
    ad_id: str = ""
    campaign_id: str = ""
    extra: dict = field(default_factory=dict)


class GraphDouble:
    def __init__(self, *, token="page-token", version="v21.0", page_size=2,
                 base_url="http://127.0.0.1", page=("444444444444", "Crossdock Demo Page")):
        self.token, self.version, self.page_size = token, version, page_size
        self.page = page  # (id, name) of the Page the token belongs to
        self.base_url = base_url  # set to the server's URL for absolute `next` links
        self.leads: dict[str, Lead] = {}
        self.calls: list[str] = []
        self._throttled, self._minutes, self._expired = 0, 0, False
        self._lock = threading.Lock()

    def add(self, lead: Lead) -> Lead:
        self.leads[lead.leadgen_id] = lead
        return lead

    def expire_token(self) -> None:
        self._expired = True

    def throttle(self, calls: int, minutes: int = 3) -> None:
        self._throttled, self._minutes = calls, minutes

    def handle(self, request: Request):
        with self._lock:
            self.calls.append(request.path)
            refusal = self._refusal(request)
            if refusal:
                return refusal
            parts = request.path.strip("/").split("/")
            if request.method != "GET" or not parts or parts[0] != self.version:
                return _error(400, "Unknown path components", "OAuthException", 2500)
            if parts[1:] == ["me"]:
                return 200, {"id": self.page[0], "name": self.page[1]}, {}
            if len(parts) == 2 and parts[1] in self.leads:
                return 200, self._row(self.leads[parts[1]]), {}
            if len(parts) == 3 and parts[2] == "leads" and self._has_form(parts[1]):
                return 200, self._page(parts[1], request.query), {}
            return _error(400, f"Unsupported get request. Object with ID '{parts[-1]}' does not "
                          "exist, cannot be loaded due to missing permissions, or does not "
                          "support this operation.", "GraphMethodException", 100, 33)

    def _refusal(self, request: Request):
        given = request.headers.get("authorization", "").removeprefix("Bearer ") \
            or request.query.get("access_token", "")
        if given != self.token or self._expired:
            return _error(400, "Error validating access token: Session has expired on "
                          "Tuesday, 01-Dec-26 10:00:00 PST.", "OAuthException", 190, 463)
        if self._throttled:
            self._throttled -= 1
            usage = {"1234567890": [{"type": "pages", "call_count": 100, "total_cputime": 12,
                                     "total_time": 30,
                                     "estimated_time_to_regain_access": self._minutes}]}
            status, body, _ = _error(400, "(#32) Page request limit reached", "OAuthException", 32)
            return status, body, {"X-Business-Use-Case-Usage": json.dumps(usage)}
        return None

    def _has_form(self, form_id: str) -> bool:
        return any(lead.form_id == form_id for lead in self.leads.values())

    def _page(self, form_id: str, query: dict) -> dict:
        since = 0
        for rule in json.loads(query.get("filtering") or "[]"):
            if rule.get("field") == "time_created" and rule.get("operator") == "GREATER_THAN":
                since = int(rule["value"])
        rows = sorted((lead for lead in self.leads.values()
                       if lead.form_id == form_id and lead.created > since),
                      key=lambda lead: (-lead.created, lead.leadgen_id))
        start = int(query.get("after") or 0)
        chosen = rows[start:start + self.page_size]
        paging = {"cursors": {"before": str(start), "after": str(start + len(chosen))}}
        if start + len(chosen) < len(rows):
            following = {**query, "after": str(start + len(chosen))}
            paging["next"] = (f"{self.base_url}/{self.version}/{form_id}/leads?"
                              f"{urlencode(following)}")
        return {"data": [self._row(lead) for lead in chosen], "paging": paging}

    @staticmethod
    def _row(lead: Lead) -> dict:
        created = datetime.fromtimestamp(lead.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
        row = {"id": lead.leadgen_id, "created_time": created, "form_id": lead.form_id,
               "field_data": [{"name": name, "values": values}
                              for name, values in lead.fields.items()],
               "is_organic": not lead.ad_id, "platform": "fb", **lead.extra}
        if lead.ad_id:
            row.update(ad_id=lead.ad_id, campaign_id=lead.campaign_id)
        return row


def _error(status, message, kind, code, subcode=None):
    body = {"message": message, "type": kind, "code": code, "fbtrace_id": TRACE}
    if subcode is not None:
        body["error_subcode"] = subcode
    return status, {"error": body}, {}
