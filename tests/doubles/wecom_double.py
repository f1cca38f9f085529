"""A WeCom (企业微信) API stand-in for external contacts, in memory, over
real HTTP.

Published contract it follows ("获取access_token" path/91039, "获取客户详情"
path/92114, "全局错误码" path/90313):
- `GET /cgi-bin/gettoken?corpid=&corpsecret=` -> `{"errcode": 0, "errmsg":
  "ok", "access_token", "expires_in": 7200}`; a wrong secret 40001
  "invalid credential", a wrong corpid 40013 "invalid corpid";
- `GET /cgi-bin/externalcontact/get?access_token=&external_userid=&cursor=`
  -> `external_contact` + `follow_user` (`follow_page` a page, then
  `next_cursor`); every answer HTTP 200 with `errcode`: 40014 a token it
  never issued, 42001 an expired one (`expire_tokens()`), 45009 "api freq
  out of limit" (`busy(n)`: the next n calls), 84061 "not external contact".
"""
from __future__ import annotations

import itertools
import threading

from .json_http import Request


class WeComDouble:
    def __init__(self, *, corp_id="ww1436e0e65a779aee", secret="contact-secret",
                 follow_page=500):
        self.corp_id, self.secret, self.follow_page = corp_id, secret, follow_page
        self.contacts: dict[str, tuple[dict, list[dict]]] = {}
        self.tokens: dict[str, bool] = {}   # token -> still valid
        self._busy = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def add_contact(self, contact: dict, follow_users: list[dict]) -> None:
        self.contacts[contact["external_userid"]] = (contact, follow_users)

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, False)

    def busy(self, calls: int) -> None:
        self._busy = calls

    def handle(self, request: Request):
        with self._lock:
            if request.path == "/cgi-bin/gettoken":
                return 200, self._token(request.query), {}
            if request.path == "/cgi-bin/externalcontact/get":
                return 200, self._contact(request.query), {}
            return 404, {"errcode": 404, "errmsg": "not found"}, {}

    def _token(self, query: dict) -> dict:
        if query.get("corpid") != self.corp_id:
            return _refusal(40013, "invalid corpid")
        if query.get("corpsecret") != self.secret:
            return _refusal(40001, "invalid credential")
        token = f"wecom-token-{next(self._numbers)}"
        self.tokens[token] = True
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _contact(self, query: dict) -> dict:
        token = query.get("access_token", "")
        if token not in self.tokens:
            return _refusal(40014, "invalid access_token")
        if not self.tokens[token]:
            return _refusal(42001, "access_token expired")
        if self._busy:
            self._busy -= 1
            return _refusal(45009, "api freq out of limit")
        found = self.contacts.get(query.get("external_userid", ""))
        if found is None:
            return _refusal(84061, "not external contact")
        contact, follows = found
        start = int(query.get("cursor") or 0)
        page = follows[start:start + self.follow_page]
        more = start + len(page) < len(follows)
        return {"errcode": 0, "errmsg": "ok", "external_contact": contact, "follow_user": page,
                "next_cursor": str(start + len(page)) if more else ""}


def _refusal(code: int, words: str) -> dict:
    return {"errcode": code, "errmsg": f"{words}, hint: [1733450000_1_abcdef], from ip: "
                                       "127.0.0.1, more info at https://open.work.weixin.qq.com/"
                                       f"devtool/query?e={code}"}
