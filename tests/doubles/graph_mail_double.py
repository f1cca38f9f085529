"""A Microsoft 365 mailbox as Microsoft Graph serves it, in memory, over
real HTTP.

Published contracts it follows (learn.microsoft.com: "message: delta",
"Get MIME content of a message", "Send Outlook messages in MIME format",
"OAuth 2.0 client credentials flow", "Microsoft Graph throttling"):
- `POST /{tenant}/oauth2/v2.0/token` with grant_type=client_credentials,
  client_id, client_secret and scope `https://graph.microsoft.com/.default`
  -> `{token_type, expires_in, access_token}`; a wrong secret answers 401
  `{"error": "invalid_client", "error_description": "AADSTS7000215: ..."}`;
- `GET /v1.0/users/{mailbox}/mailFolders/inbox/messages/delta` -> `{value,
  @odata.nextLink | @odata.deltaLink}`, pages of `Prefer:
  odata.maxpagesize` entries; a delta link gives what arrived after the
  round it ended; entries carry `id` (and what `$select` asks);
- `GET /v1.0/users/{mailbox}/messages/{id}/$value` -> the MIME bytes;
- `POST /v1.0/users/{mailbox}/sendMail`, Content-Type text/plain, the MIME
  base64 -> 202 and no body (kept in `sent`);
- `GET /v1.0/users/{mailbox}/mailFolders/inbox` -> `{displayName,
  totalItemCount}`;
- errors `{"error": {"code", "message"}}`: 401 InvalidAuthenticationToken
  for an expired token (`tokens.expire_all()`), 429 TooManyRequests with
  `Retry-After` (`throttle_once()`), 404 ErrorItemNotFound, 410
  SyncStateNotFound for a delta link it no longer knows
  (`forget_delta_tokens()`).
"""
from __future__ import annotations

import base64
import binascii
import threading
from urllib.parse import quote

from .json_http import Request
from .oauth_tokens import IssuedTokens, form

SCOPE = "https://graph.microsoft.com/.default"


class GraphMailDouble:
    def __init__(self, *, tenant="contoso.onmicrosoft.com", client_id="app-1",
                 client_secret="app-secret", mailbox="support@crossdock.example.cn",
                 base_url="http://127.0.0.1"):
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.mailbox, self.base_url = mailbox, base_url  # base_url: for absolute links
        self.tokens = IssuedTokens()
        self.inbox: list[tuple[str, bytes]] = []  # (id, MIME), in arrival order
        self.sent: list[bytes] = []
        self.calls: list[str] = []
        self._throttle = False
        self._known_from = 0  # delta tokens below this are forgotten (410)
        self._lock = threading.Lock()

    def deliver(self, raw: bytes) -> str:
        with self._lock:
            message_id = f"AAMkAD{len(self.inbox) + 1:04d}="
            self.inbox.append((message_id, raw))
            return message_id

    def throttle_once(self) -> None:
        self._throttle = True

    def forget_delta_tokens(self) -> None:
        """The delta token cache overflowed: every link handed out is unknown."""
        self._known_from = len(self.inbox)

    def handle(self, request: Request):
        with self._lock:
            self.calls.append(f"{request.method} {request.path}")
            if request.path == f"/{self.tenant}/oauth2/v2.0/token":
                return self._token(form(request))
            if self._throttle:
                self._throttle = False
                return _error(429, "TooManyRequests", "Application is over its "
                              "MailboxConcurrency limit.", {"Retry-After": "2"})
            if not self.tokens.valid(request):
                return _error(401, "InvalidAuthenticationToken",
                              "Lifetime validation failed, the token is expired.")
            user = f"/v1.0/users/{self.mailbox}"
            path = request.path
            if not path.startswith(user + "/"):
                return _error(404, "ErrorInvalidUser",
                              f"The requested user '{path.split('/')[3]}' is invalid.")
            rest = path[len(user):]
            if request.method == "GET" and rest == "/mailFolders/inbox/messages/delta":
                return self._delta(request)
            if request.method == "GET" and rest == "/mailFolders/inbox":
                return 200, {"id": "AAMkInbox", "displayName": "Inbox",
                             "totalItemCount": len(self.inbox)}, {}
            if request.method == "GET" and rest.startswith("/messages/") and \
                    rest.endswith("/$value"):
                found = dict(self.inbox).get(rest.split("/")[2])
                if found is None:
                    return _error(404, "ErrorItemNotFound",
                                  "The specified object was not found in the store.")
                return 200, found, {"Content-Type": "message/rfc822"}
            if request.method == "POST" and rest == "/sendMail":
                return self._send_mail(request)
            return _error(400, "BadRequest", f"Resource not found for the segment '{rest}'.")

    def _token(self, fields: dict):
        if fields.get("grant_type") != "client_credentials" or fields.get("scope") != SCOPE:
            return 400, {"error": "invalid_scope", "error_description": "AADSTS70011: The "
                         "provided request must include a 'scope' input parameter."}, {}
        if (fields.get("client_id"), fields.get("client_secret")) != (self.client_id,
                                                                        self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: "
                         "Invalid client secret provided. Ensure the secret being sent in the "
                         "request is the client secret value, not the client secret ID."}, {}
        return 200, self.tokens.issue(), {}

    def _delta(self, request: Request):
        """A round reads (after, upto]: `after` from the delta token, `upto`
        the newest at the round's start; a skip token pages within it."""
        size = int(request.headers.get("prefer", "odata.maxpagesize=10").rpartition("=")[2])
        if "$skiptoken" in request.query:
            after, upto, offset = (int(n) for n in request.query["$skiptoken"].split("."))
        else:
            after, upto, offset = int(request.query.get("$deltatoken", 0)), len(self.inbox), 0
            if "$deltatoken" in request.query and after < self._known_from:
                return _error(410, "SyncStateNotFound", "The sync state generation is not "
                              "found. The delta token is expired and data must be "
                              "synchronized again.")
        chosen = self.inbox[after + offset:min(upto, after + offset + size)]
        page = {"value": [{"@odata.type": "#microsoft.graph.message", "id": i}
                          for i, _ in chosen]}
        link = f"{self.base_url}/v1.0/users/{quote(self.mailbox)}/mailFolders/inbox/messages/delta"
        if after + offset + len(chosen) < upto:
            page["@odata.nextLink"] = f"{link}?$skiptoken={after}.{upto}.{offset + len(chosen)}"
        else:
            page["@odata.deltaLink"] = f"{link}?$deltatoken={upto}"
        return 200, page, {}

    def _send_mail(self, request: Request):
        if not request.headers.get("content-type", "").startswith("text/plain"):
            return _error(415, "UnsupportedMediaType", "Content-Type must be text/plain for "
                          "MIME content.")
        try:
            self.sent.append(base64.b64decode(request.raw_body, validate=True))
        except binascii.Error:
            return _error(400, "ErrorMimeContentInvalidBase64String",
                          "Invalid base64 string for MIME content.")
        return 202, b"", {}


def _error(status, code, message, headers=None):
    return status, {"error": {"code": code, "message": message}}, headers or {}
