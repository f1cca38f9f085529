"""A 微信公众号 API stand-in for the follower's info, in memory, over real
HTTP.

Published contract it follows ("获取 Access token", "获取用户基本信息
(UnionID机制)", "全局返回码说明"):
- `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=` ->
  `{"access_token", "expires_in": 7200}` (no errcode on success); a wrong
  AppID 40013 "invalid appid", a wrong AppSecret 40001 "invalid credential,
  access_token is invalid or not latest", another grant_type 40002; a new
  token ends the ones before it (so a second process fetching one makes
  ours stale: 40001 on the next call);
- `GET /cgi-bin/user/info?access_token=&openid=&lang=` -> `{"subscribe": 1,
  "openid", "language", "subscribe_time", "unionid" (only for a follower
  added with one: the account bound to an Open Platform account), "remark",
  "groupid", "tagid_list", "subscribe_scene", "qr_scene", "qr_scene_str"}`,
  no nickname; 40014 a token it never issued, 42001 an expired one
  (`expire_tokens()`), 45009 "reach max api daily quota limit" (`busy(n)`:
  the next n calls), 40003 "invalid openid".
"""
from __future__ import annotations

import itertools
import threading

from .json_http import Request


class WeChatApiDouble:
    def __init__(self, *, app_id="wx2c2769f8efd9abc2", app_secret="oa-app-secret"):
        self.app_id, self.app_secret = app_id, app_secret
        self.followers: dict[str, dict] = {}
        self.tokens: dict[str, bool] = {}   # token -> still valid
        self.calls: list[str] = []          # paths, in order
        self._busy = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def add_follower(self, openid: str, *, unionid: str = "", scene: str = "",
                     language: str = "zh_CN") -> None:
        info = {"subscribe": 1, "openid": openid, "language": language,
                "subscribe_time": 1733450000, "remark": "", "groupid": 0, "tagid_list": [],
                "subscribe_scene": "ADD_SCENE_QR_CODE" if scene else "ADD_SCENE_SEARCH",
                "qr_scene": 0, "qr_scene_str": scene}
        self.followers[openid] = {**info, "unionid": unionid} if unionid else info

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, False)

    def busy(self, calls: int) -> None:
        self._busy = calls

    def handle(self, request: Request):
        with self._lock:
            self.calls.append(request.path)
            if request.path == "/cgi-bin/token":
                return 200, self._token(request.query), {}
            if request.path == "/cgi-bin/user/info":
                return 200, self._user_info(request.query), {}
            return 404, {"errcode": 404, "errmsg": "not found"}, {}

    def _token(self, query: dict) -> dict:
        if query.get("grant_type") != "client_credential":
            return _refusal(40002, "invalid grant_type")
        if query.get("appid") != self.app_id:
            return _refusal(40013, "invalid appid")
        if query.get("secret") != self.app_secret:
            return _refusal(40001, "invalid credential, access_token is invalid or not latest")
        token = f"oa-token-{next(self._numbers)}"
        self.tokens = {**dict.fromkeys(self.tokens, False), token: True}
        return {"access_token": token, "expires_in": 7200}

    def _user_info(self, query: dict) -> dict:
        token = query.get("access_token", "")
        if token not in self.tokens:
            return _refusal(40014, "invalid access_token")
        if not self.tokens[token]:
            return _refusal(42001, "access_token expired")
        if self._busy:
            self._busy -= 1
            return _refusal(45009, "reach max api daily quota limit")
        found = self.followers.get(query.get("openid", ""))
        return dict(found) if found else _refusal(40003, "invalid openid")


def _refusal(code: int, words: str) -> dict:
    return {"errcode": code, "errmsg": f"{words} rid: 6752a1b2-1c3d4e5f-0a1b2c3d"}
