"""A LinkedIn Lead Sync stand-in for `leadFormResponses`, in memory, over
real HTTP.

Published contract it follows ("Lead Sync" and its schema page, "API
versioning", "Error handling" on learn.microsoft.com/linkedin):
- `GET /rest/leadFormResponses/{id}` with `Authorization: Bearer`,
  `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0` -> the
  response: `id`, `owner`, `leadType`, `versionedLeadGenFormUrn`,
  `submittedAt` (ms), `testLead`, `formResponse` {`answers`
  [{questionId, answerDetails: {textQuestionAnswer: {answer}} |
  {multipleChoiceAnswer: {options}}}], `consentResponses` [{consentId,
  accepted}]};
- errors `{"status", "serviceErrorCode", "code", "message"}`: 401
  REVOKED_ACCESS_TOKEN (`revoke()`), 404 for an id it does not have, 426
  NONEXISTENT_VERSION for a version outside `versions`, 429
  TOO_MANY_REQUESTS (`throttle(n)`: the next n calls; no Retry-After, as
  LinkedIn sends none).
"""
from __future__ import annotations

import threading

from .json_http import Request

PREFIX = "/rest/leadFormResponses/"


class LinkedInDouble:
    def __init__(self, *, token="li-member-token", versions=("202511", "202601")):
        self.token, self.versions = token, set(versions)
        self.responses: dict[str, dict] = {}
        self.calls: list[str] = []
        self._throttled, self._revoked = 0, False
        self._lock = threading.Lock()

    def add(self, response: dict) -> dict:
        self.responses[response["id"]] = response
        return response

    def revoke(self) -> None:
        self._revoked = True

    def throttle(self, calls: int) -> None:
        self._throttled = calls

    def handle(self, request: Request):
        with self._lock:
            self.calls.append(request.path)
            if request.headers.get("authorization") != f"Bearer {self.token}" or self._revoked:
                return _error(401, 65601, "REVOKED_ACCESS_TOKEN",
                              "The token used in the request has been revoked by the user")
            version = request.headers.get("linkedin-version", "")
            if version not in self.versions:
                return _error(426, 0, "NONEXISTENT_VERSION",
                              f"Requested version {version} is not active")
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return _error(400, 0, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 is required")
            if self._throttled:
                self._throttled -= 1
                return _error(429, 101, "TOO_MANY_REQUESTS", "Resource level throttle "
                              "APPLICATION DAY limit for calls to this resource is reached.")
            if request.method == "GET" and request.path.startswith(PREFIX):
                found = self.responses.get(request.path[len(PREFIX):])
                if found is not None:
                    return 200, found, {}
            return _error(404, 0, "NOT_FOUND", "Not Found")


def _error(status, service_code, code, message):
    return status, {"status": status, "serviceErrorCode": service_code, "code": code,
                    "message": message}, {}
