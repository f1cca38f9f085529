"""A Gmail mailbox as the Gmail API serves it, in memory, over real HTTP.

Published contracts it follows (developers.google.com/gmail/api: "Synchronizing
clients with Gmail", users.history.list, users.messages.list / get / send,
users.getProfile, "Resolve errors"; "Using OAuth 2.0 ... Refreshing an
access token"):
- `POST /token` with grant_type=refresh_token, client_id, client_secret,
  refresh_token -> `{access_token, expires_in, scope, token_type}`; a
  revoked refresh token answers 400 `{"error": "invalid_grant",
  "error_description": "Token has been expired or revoked."}`;
- every message added (delivered, or sent: label SENT) is a history record
  with a new, higher history id;
- `GET /gmail/v1/users/{mailbox}/profile` -> `{emailAddress, messagesTotal,
  threadsTotal, historyId}`;
- `.../messages?labelIds=&maxResults=&pageToken=` -> `{messages: [{id,
  threadId}], nextPageToken, resultSizeEstimate}`, newest first;
- `.../history?startHistoryId=&historyTypes=messageAdded&labelId=
  &maxResults=&pageToken=` -> `{history: [{id, messages, messagesAdded:
  [{message: {id, threadId, labelIds}}]}], nextPageToken, historyId}`, the
  records after startHistoryId; one older than the history kept
  (`forget_history()`) answers 404;
- `.../messages/{id}?format=raw` -> `{id, threadId, labelIds, sizeEstimate,
  historyId, raw}` (base64url);
- `POST .../messages/send` `{raw}` -> `{id, threadId, labelIds}` (kept in
  `sent`);
- errors `{"error": {"code", "message", "errors": [{"reason"}], "status"}}`:
  401 authError for an expired token (`tokens.expire_all()`), 429
  rateLimitExceeded with `Retry-After` (`throttle_once()`).
"""
from __future__ import annotations

import base64
import threading

from .json_http import Request
from .oauth_tokens import IssuedTokens, form


class GmailDouble:
    def __init__(self, *, client_id="client-1.apps.googleusercontent.com",
                 client_secret="GOCSPX-secret", refresh_token="1//refresh-token",
                 mailbox="support@crossdock.example.cn"):
        self.client_id, self.client_secret = client_id, client_secret
        self.refresh_token, self.mailbox = refresh_token, mailbox
        self.tokens = IssuedTokens()
        self.messages: dict[str, tuple[bytes, list[str], int]] = {}  # id -> raw, labels, history
        self.history_id, self.oldest_history = 1000, 1000
        self.sent: list[bytes] = []
        self.calls: list[str] = []
        self._throttle = False
        self._lock = threading.Lock()

    def deliver(self, raw: bytes, labels=("INBOX", "UNREAD")) -> str:
        with self._lock:
            return self._add(raw, list(labels))

    def forget_history(self) -> None:
        """Google keeps history about a week: every id before the current one is gone."""
        self.oldest_history = self.history_id

    def throttle_once(self) -> None:
        self._throttle = True

    def handle(self, request: Request):
        with self._lock:
            self.calls.append(f"{request.method} {request.path}")
            if request.path == "/token":
                return self._token(form(request))
            if self._throttle:
                self._throttle = False
                return _error(429, "Too many concurrent requests for user.",
                              "rateLimitExceeded", "RESOURCE_EXHAUSTED", {"Retry-After": "2"})
            if not self.tokens.valid(request):
                return _error(401, "Request had invalid authentication credentials.",
                              "authError", "UNAUTHENTICATED")
            user = f"/gmail/v1/users/{self.mailbox}/"
            if not request.path.startswith(user):
                return _error(403, "Delegation denied for " + self.mailbox, "forbidden",
                              "PERMISSION_DENIED")
            rest, query = request.path[len(user):], request.query
            if request.method == "GET" and rest == "profile":
                return 200, {"emailAddress": self.mailbox, "messagesTotal": len(self.messages),
                             "threadsTotal": len(self.messages),
                             "historyId": str(self.history_id)}, {}
            if request.method == "GET" and rest == "messages":
                return 200, self._list(query), {}
            if request.method == "GET" and rest == "history":
                return self._history(query)
            if request.method == "POST" and rest == "messages/send":
                raw = _unbase64url(request.body["raw"])
                self.sent.append(raw)
                message_id = self._add(raw, ["SENT"])
                return 200, {"id": message_id, "threadId": message_id, "labelIds": ["SENT"]}, {}
            if request.method == "GET" and rest.startswith("messages/"):
                return self._get(rest.split("/")[1], query)
            return _error(404, "Requested entity was not found.", "notFound", "NOT_FOUND")

    def _add(self, raw: bytes, labels: list[str]) -> str:
        self.history_id += 1
        message_id = f"18c{self.history_id:013x}"
        self.messages[message_id] = (raw, labels, self.history_id)
        return message_id

    def _token(self, fields: dict):
        if (fields.get("client_id"), fields.get("client_secret")) != (self.client_id,
                                                                        self.client_secret):
            return 401, {"error": "invalid_client",
                         "error_description": "The OAuth client was not found."}, {}
        if fields.get("grant_type") != "refresh_token" or \
                fields.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant",
                         "error_description": "Token has been expired or revoked."}, {}
        answer = self.tokens.issue()
        answer["scope"] = ("https://www.googleapis.com/auth/gmail.readonly "
                           "https://www.googleapis.com/auth/gmail.send")
        return 200, answer, {}

    def _list(self, query: dict) -> dict:
        label = query.get("labelIds")
        found = sorted((i for i, (_, labels, _) in self.messages.items()
                        if label is None or label in labels), reverse=True)
        size, start = int(query.get("maxResults", 100)), int(query.get("pageToken") or 0)
        page = {"messages": [{"id": i, "threadId": i} for i in found[start:start + size]],
                "resultSizeEstimate": len(found)}
        if start + size < len(found):
            page["nextPageToken"] = str(start + size)
        return page

    def _history(self, query: dict):
        start = int(query["startHistoryId"])
        if start < self.oldest_history:
            return _error(404, "Requested entity was not found.", "notFound", "NOT_FOUND")
        label = query.get("labelId")
        records = sorted((history, i, labels) for i, (_, labels, history) in self.messages.items()
                         if history > start and (label is None or label in labels))
        size, offset = int(query.get("maxResults", 100)), int(query.get("pageToken") or 0)
        page = {"history": [{"id": str(history),
                             "messages": [{"id": i, "threadId": i}],
                             "messagesAdded": [{"message": {"id": i, "threadId": i,
                                                            "labelIds": labels}}]}
                            for history, i, labels in records[offset:offset + size]],
                "historyId": str(self.history_id)}
        if offset + size < len(records):
            page["nextPageToken"] = str(offset + size)
        return 200, page, {}

    def _get(self, message_id: str, query: dict):
        if message_id not in self.messages:
            return _error(404, "Requested entity was not found.", "notFound", "NOT_FOUND")
        raw, labels, history = self.messages[message_id]
        found = {"id": message_id, "threadId": message_id, "labelIds": labels,
                 "sizeEstimate": len(raw), "historyId": str(history),
                 "internalDate": str(1764979200000 + history)}
        if query.get("format") == "raw":
            found["raw"] = base64.urlsafe_b64encode(raw).decode("ascii")
        return 200, found, {}


def _unbase64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _error(status, message, reason, kind, headers=None):
    return status, {"error": {"code": status, "message": message,
                              "errors": [{"message": message, "domain": "global",
                                          "reason": reason}], "status": kind}}, headers or {}
