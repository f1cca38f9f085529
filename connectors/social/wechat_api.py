"""Tencent's token-then-call JSON APIs, shared by 企业微信 (wecom.py) and the
微信公众号 (wechat_official.py): one access token per process per API, app
and secret, cached until shortly before `expires_in` ends and fetched anew
once when a call says it is stale; every answer HTTP 200 with `errcode`
(0 ok), 45009 (frequency limit) and -1 (system busy) transient, anything
else permanent with Tencent's own errcode and errmsg.

A client names its token request and what to check when it is refused;
the transport (connectors/http.py `send`, with its timeouts) and the
errors are here.
"""
from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod

import requests

from ..errors import PermanentError, TransientError
from ..http import send

TRANSIENT = {45009, -1}
TOKEN_MARGIN = 300.0  # seconds before expires_in ends that a token is fetched anew
BUSY_PAUSE = 60.0     # retry_after for 45009 / -1: Tencent publishes no figure

_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}  # -> (token, good until)
_lock = threading.Lock()


class TokenApi(ABC):
    """A Tencent API reached with an access token; subclasses set the token
    request (`token_path`, `_token_params`), the errcodes that mean "this
    token is no longer good" and the hint for a refused token request."""

    token_path: str
    stale_token: frozenset[int]
    credentials_hint: str

    def __init__(self, api: str, app_id: str, secret: str, what: str):
        self.api, self.app_id, self._secret, self.what = api.rstrip("/"), app_id, secret, what
        self.session = requests.Session()

    @abstractmethod
    def _token_params(self) -> dict[str, str]:
        """The token request's query: the app's id and secret."""

    def _call(self, path: str, **params) -> dict:
        token = self._token()
        answer = self._get(path, access_token=token, **params)
        if answer.get("errcode") in self.stale_token:
            answer = self._get(path, access_token=self._token(stale=token), **params)
        return self._ok(answer, path)

    def _token(self, stale: str | None = None) -> str:
        key = (self.api, self.app_id, self._secret)
        with _lock:
            kept = _tokens.get(key)
            if kept and kept[0] != stale and time.monotonic() < kept[1]:
                return kept[0]
            answer = self._ok(self._get(self.token_path, **self._token_params()),
                              self.token_path)
            life = float(answer.get("expires_in") or 7200)
            _tokens[key] = (answer["access_token"], time.monotonic() + life - TOKEN_MARGIN)
            return answer["access_token"]

    def _get(self, path: str, **params) -> dict:
        try:
            response = send(self.session, "GET", f"{self.api}/{path}", what=self.what,
                            params=params)
        except TransientError as exc:  # transport words can quote the URL: secret and token in it
            words = str(exc)
            for secret in (self._secret, params.get("access_token")):
                words = words.replace(secret, "***") if secret else words
            raise TransientError(words, retry_after=exc.retry_after) from None
        try:
            answer = response.json()
        except ValueError:
            raise PermanentError(f"{self.what}: {path} answered no JSON (HTTP "
                                 f"{response.status_code}); check the API address") from None
        return answer if isinstance(answer, dict) else {}

    def _ok(self, answer: dict, path: str) -> dict:
        code = answer.get("errcode", 0)
        if code == 0:
            return answer
        words = f"{self.what}: {path} refused: errcode {code} {answer.get('errmsg', '')}".rstrip()
        if code in TRANSIENT:
            raise TransientError(words, retry_after=BUSY_PAUSE)
        if path == self.token_path:
            words += f" - {self.credentials_hint}"
        raise PermanentError(words, details={"errcode": code})
