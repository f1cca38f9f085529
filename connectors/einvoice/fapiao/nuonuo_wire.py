"""The Nuonuo open platform's envelope: signing, token, errors.

Per the published API pages (诺诺开放平台, e.g. `nuonuo.OpeMplatform.
requestBillingNew`'s "公共请求参数"), confirmed against the official samples
as third-party clients reproduce them (the PyPI `nuonuo-sdk` 0.2.0
`signing.py`, Go and C# clients):
- `POST <endpoint>` (production `https://sdk.nuonuo.com/open/v1/services`,
  sandbox `https://sandbox.nuonuocs.cn/open/v1/services`) with the query
  parameters `senid` (32 random characters), `nonce` (8-digit positive
  integer), `timestamp` (seconds) and `appkey`;
- headers `Content-Type: application/json`, `X-Nuonuo-Sign`, `accessToken`,
  `userTax` (the seller's tax number: required for third-party apps,
  harmless for self-use ones) and `method` (the API name);
- the body is the method's private parameters as JSON;
- `X-Nuonuo-Sign` = base64(HMAC-SHA1(appSecret,
  "a=services&l=v1&p=open&k={appKey}&i={senid}&n={nonce}&t={timestamp}&f={body}")),
  the path /open/v1/services spelled a/l/p, `f` the exact body text sent;
- the answer is `{"code", "describe", "result"}`, `"E0000"` meaning success.

Errors: transport trouble, 5xx and 429 are `connectors.http.send`'s
(TransientError). Every other code is a refusal (PermanentError with the
code and Nuonuo's words, `NuonuoRefusal.code` for callers that expect one);
the gateway's own codes (`070...`: appKey, secret, signature, token) say to
check the credentials. The published table of common codes names 070301
("accessToken不匹配/或appKey不匹配") for a token the gateway does not take: a
call refused so is made once more with a renewed token when the token is one
we fetch (nuonuo_token.py); a pasted token is not renewed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from decimal import Decimal

import requests

from ...errors import PermanentError
from ...http import raise_for_client_error, send

SUCCESS = "E0000"
GATEWAY_PREFIX = "070"
TOKEN_REFUSED = "070301"


class NuonuoRefusal(PermanentError):
    def __init__(self, message: str, code: str, describe: str):
        super().__init__(message)
        self.code, self.describe = code, describe


def sign(app_secret: str, app_key: str, senid: str, nonce: str, timestamp: str,
         body: str) -> str:
    message = f"a=services&l=v1&p=open&k={app_key}&i={senid}&n={nonce}&t={timestamp}&f={body}"
    digest = hmac.new(app_secret.encode(), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class NuonuoWire:
    """`tokens`: a FixedToken or FetchedToken (nuonuo_token.py)."""

    def __init__(self, endpoint: str, app_key: str, app_secret: str, tokens, taxnum: str):
        self.endpoint, self.what = endpoint, f"Nuonuo at {endpoint}"
        self.app_key, self._secret, self.tokens, self.taxnum = app_key, app_secret, tokens, taxnum
        self.session = requests.Session()

    def call(self, method: str, params: dict):
        """The `result` of `method`, or NuonuoRefusal / TransientError."""
        token = self.tokens.current()
        try:
            return self._call(method, params, token)
        except NuonuoRefusal as refusal:
            fresh = self.tokens.renewed(token) if refusal.code == TOKEN_REFUSED else None
            if fresh is None:
                raise
        return self._call(method, params, fresh)

    def _call(self, method: str, params: dict, token: str):
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
        senid = secrets.token_hex(16)
        nonce = str(10_000_000 + secrets.randbelow(90_000_000))
        timestamp = str(int(time.time()))
        response = send(
            self.session, "POST", self.endpoint, what=self.what,
            params={"senid": senid, "nonce": nonce, "timestamp": timestamp,
                    "appkey": self.app_key},
            headers={"Content-Type": "application/json; charset=utf-8",
                     "X-Nuonuo-Sign": sign(self._secret, self.app_key, senid, nonce,
                                           timestamp, body),
                     "accessToken": token, "userTax": self.taxnum, "method": method},
            data=body.encode())
        raise_for_client_error(response, self.what, method)
        try:
            answer = response.json(parse_float=Decimal)
        except ValueError as exc:
            raise PermanentError(f"{self.what}: {method} answered no JSON "
                                 f"(HTTP {response.status_code}); check the endpoint") from exc
        code, describe = str(answer.get("code") or ""), str(answer.get("describe") or "")
        if code == SUCCESS:
            return answer.get("result")
        if code.startswith(GATEWAY_PREFIX):
            raise NuonuoRefusal(f"{self.what}: {method} refused the credentials ({code}: "
                                f"{describe}); check appKey, appSecret and the access token",
                                code, describe)
        raise NuonuoRefusal(f"{self.what}: {method} refused ({code}: {describe})", code, describe)
