"""A WeChat Official Account (微信公众号) as the platform calls our server URL.

Per the 公众号 developer pages (developers.weixin.qq.com/doc/offiaccount):
- "接入指南" (server URL check): a GET with `signature` = SHA-1 of token,
  timestamp and nonce sorted and joined; we answer `echostr` as sent;
- every POST carries the same `signature`; in safe mode ("安全模式",
  `encrypt_type=aes`) also `msg_signature` over token, timestamp, nonce and
  the body's `Encrypt` (wechat_crypto.py; receive id = the AppID);
- "接收事件推送": `subscribe` (a follow; from a parametric QR code its
  `EventKey` is `qrscene_` + the scene and a `Ticket` comes along), `SCAN`
  (a follower scanned one: `EventKey` is the scene itself), `unsubscribe`;
  "接收普通消息": `text` with `Content` and `MsgId`;
- a message not answered within 5 seconds is sent again, three times in
  all; the page recommends deduplicating on `MsgId`, and events, which have
  none, on FromUserName + CreateTime;
- "被动回复用户消息": the answer to the POST itself, within 5 seconds, a
  text reply or "success" for none; in safe mode sealed as
  <Encrypt>, <MsgSignature>, <TimeStamp>, <Nonce>.

API (with the AppSecret), per "获取 Access token" and "获取用户基本信息
(UnionID机制)": `GET /cgi-bin/token?grant_type=client_credential&appid=
&secret=` -> access_token, expires_in (7200 s; a new one ends the old, so it
is cached: wechat_api.py), errcode 40013 invalid AppID, 40001 / 40125 bad
AppSecret, 40164 our IP not on the 公众号's IP whitelist; then
`GET /cgi-bin/user/info?access_token=&openid=&lang=zh_CN` -> subscribe,
openid, `unionid` (only when the 公众号 is bound to an Open Platform
account), language, subscribe_scene, qr_scene, qr_scene_str (no nickname
or avatar since 2021-12-27). 40001 / 40014 / 42001 on a call: the token is
stale (fetched anew once); 40003 an openid not of this 公众号 (permanent).
"""
from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from . import wechat_xml
from .signatures import RequestRefused, check_fresh, same, sha1_of_sorted
from .wechat_api import TokenApi
from .wechat_crypto import MessageCrypt

API = "https://api.weixin.qq.com"

NO_REPLY = "success"  # what the platform takes as "nothing to say", no retry
SCENE_PREFIX = "qrscene_"

FOLLOW, UNFOLLOW, SCAN, TEXT, OTHER = "follow", "unfollow", "scan", "text", "other"
_EVENTS = {"subscribe": FOLLOW, "unsubscribe": UNFOLLOW, "SCAN": SCAN}


@dataclass(frozen=True)
class OfficialMessage:
    """One message or event; `scene` is the parametric QR code's scene
    (our campaign) on a follow or scan, without the `qrscene_` prefix."""
    kind: str
    openid: str            # FromUserName: the follower
    account: str           # ToUserName: the 公众号's original id (gh_...)
    created: int           # CreateTime, seconds
    msg_id: str = ""
    scene: str = ""
    ticket: str = ""
    text: str = ""
    raw_type: str = ""     # MsgType, or MsgType/Event for events
    safe: bool = False     # came encrypted: the reply must be too

    @property
    def dedupe_key(self) -> str:
        return self.msg_id or f"{self.openid}:{self.created}"


class OfficialAccount:
    """One 公众号's server settings: token, AppID and (safe mode) EncodingAESKey."""

    def __init__(self, token: str, app_id: str, encoding_aes_key: str = ""):
        self.token, self.app_id = token, app_id
        self.crypt = MessageCrypt(token, encoding_aes_key, app_id) if encoding_aes_key else None

    def check_server_url(self, query: Mapping[str, str], *, now: float | None = None) -> str:
        """The `echostr` to answer when the GET is the platform's."""
        self._check_signature(query, now)
        return query.get("echostr", "")

    def read(self, query: Mapping[str, str], body: bytes, *,
             now: float | None = None) -> OfficialMessage:
        """The POST's message, verified (and decrypted in safe mode).
        RequestRefused: not the platform's; wechat_xml.MalformedXml: signed
        but not a message we can read (keep it, mark it failed)."""
        self._check_signature(query, now)
        safe = query.get("encrypt_type", "raw") == "aes"
        if not safe:
            return _message(wechat_xml.fields(body), safe=False)
        if self.crypt is None:
            raise RequestRefused("a safe-mode message came but no EncodingAESKey is set")
        envelope = wechat_xml.fields(body)
        plain = self.crypt.open(query.get("msg_signature", ""), query.get("timestamp", ""),
                                query.get("nonce", ""), envelope.get("Encrypt", ""), now=now)
        return _message(wechat_xml.fields(plain), safe=True)

    def reply_text(self, to: OfficialMessage, content: str, *, now: int | None = None,
                   nonce: str | None = None) -> str:
        """The passive text reply to `to`, sealed when `to` came in safe mode."""
        stamp = int(time.time()) if now is None else now
        reply = wechat_xml.document({"ToUserName": to.openid, "FromUserName": to.account,
                                     "CreateTime": stamp, "MsgType": "text",
                                     "Content": content})
        if not to.safe:
            return reply
        nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
        encrypted, signature = self.crypt.seal(reply, str(stamp), nonce)
        return wechat_xml.document({"Encrypt": encrypted, "MsgSignature": signature,
                                    "TimeStamp": stamp, "Nonce": nonce})

    def _check_signature(self, query: Mapping[str, str], now: float | None) -> None:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        check_fresh(timestamp, now=now)
        if not same(sha1_of_sorted(self.token, timestamp, nonce), query.get("signature")):
            raise RequestRefused("signature does not match: not signed with our token")


def _message(fields: dict[str, str], *, safe: bool) -> OfficialMessage:
    missing = [name for name in ("FromUserName", "CreateTime", "MsgType") if not fields.get(name)]
    if missing or not fields["CreateTime"].isdigit():
        raise wechat_xml.MalformedXml(f"not a 公众号 message: missing or bad {missing or 'CreateTime'}")
    msg_type, event = fields["MsgType"], fields.get("Event", "")
    common = {"openid": fields["FromUserName"], "account": fields.get("ToUserName", ""),
              "created": int(fields["CreateTime"]), "safe": safe}
    if msg_type == "text":
        return OfficialMessage(TEXT, msg_id=fields.get("MsgId", ""), text=fields.get("Content", ""),
                               raw_type=msg_type, **common)
    if msg_type == "event" and event in _EVENTS:
        key = fields.get("EventKey", "")
        scene = key[len(SCENE_PREFIX):] if key.startswith(SCENE_PREFIX) else key
        return OfficialMessage(_EVENTS[event], scene=scene if event != "unsubscribe" else "",
                               ticket=fields.get("Ticket", ""), raw_type=f"event/{event}", **common)
    return OfficialMessage(OTHER, msg_id=fields.get("MsgId", ""),
                           raw_type=f"{msg_type}/{event}" if event else msg_type, **common)


@dataclass(frozen=True)
class FollowerInfo:
    """What user/info says of a follower; `unionid` is "" unless the 公众号
    is bound to an Open Platform account."""
    openid: str
    unionid: str = ""
    language: str = ""
    subscribe_scene: str = ""
    qr_scene_str: str = ""


class OfficialApi(TokenApi):
    """The 公众号's API with its AppID and AppSecret: the follower's info."""

    token_path = "cgi-bin/token"
    stale_token = frozenset({40001, 40014, 42001})
    credentials_hint = ("check the AppID, the AppSecret and that this server's IP is on the "
                        "公众号's IP whitelist (基本配置)")

    def __init__(self, app_id: str, app_secret: str, *, api: str = API):
        super().__init__(api, app_id, app_secret, f"WeChat at {api.rstrip('/')}")

    def _token_params(self) -> dict[str, str]:
        return {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}

    def check_credentials(self) -> None:
        """A token for our AppID and AppSecret: the backend's "test connection"."""
        self._token()

    def user_info(self, openid: str) -> FollowerInfo:
        answer = self._call("cgi-bin/user/info", openid=openid, lang="zh_CN")
        return FollowerInfo(openid=answer.get("openid") or openid,
                            unionid=answer.get("unionid") or "",
                            language=answer.get("language") or "",
                            subscribe_scene=answer.get("subscribe_scene") or "",
                            qr_scene_str=answer.get("qr_scene_str") or "")
