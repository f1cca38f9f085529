"""WeCom (企业微信) external contacts: the encrypted callback and the one
API call that reads a contact.

Callback, per "回调配置" (developer.work.weixin.qq.com/document/path/90930)
and "加解密方案说明" (90968): the URL check is a GET whose `echostr` is
itself encrypted: `msg_signature` over token, timestamp, nonce and echostr,
and we answer the decrypted text; every POST is `<xml>` with `Encrypt`
(wechat_crypto.py, receive id = the CorpID). "客户变更事件" (path/92130):
Event `change_external_contact` with ChangeType `add_external_contact`
(UserID, ExternalUserID, State from the 联系我 config, WelcomeCode),
`edit_external_contact`, `del_external_contact` (Source
DELETE_BY_TRANSFER on a transfer), `del_follow_user` (the customer deleted
the employee), `add_half_external_contact`, `transfer_fail`.

API, per "获取access_token" (path/91039) and "获取客户详情" (path/92114):
`GET /cgi-bin/gettoken?corpid=&corpsecret=` -> access_token, expires_in
(7200 s; to be cached, not fetched per call), then
`GET /cgi-bin/externalcontact/get?access_token=&external_userid=&cursor=`
-> external_contact, follow_user (paged by next_cursor past 500).
Answers are HTTP 200 with `errcode`: 0 ok; 40014 / 42001 the token is
invalid / expired (fetched anew once); the token cache and the other
errcodes are wechat_api.py's.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import wechat_xml
from .wechat_api import TokenApi
from .wechat_crypto import MessageCrypt

API = "https://qyapi.weixin.qq.com/cgi-bin"
CHANGE_EVENT = "change_external_contact"


@dataclass(frozen=True)
class ExternalContactChange:
    """A change_external_contact event: `user_id` is the employee."""
    change: str
    user_id: str
    external_user_id: str
    created: int
    state: str = ""
    welcome_code: str = ""
    source: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"{self.change}:{self.user_id}:{self.external_user_id}:{self.created}"


@dataclass(frozen=True)
class FollowUser:
    """An employee who has the customer, and how they got them."""
    user_id: str
    remark: str = ""
    created: int = 0
    state: str = ""
    add_way: int = 0
    remark_mobiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExternalContact:
    external_user_id: str
    name: str
    type: int = 0            # 1 a WeChat user, 2 a WeCom user
    unionid: str = ""        # only when the corp has a bound 公众号/小程序
    corp_name: str = ""
    position: str = ""
    gender: int = 0
    follow_users: tuple[FollowUser, ...] = ()


class WeComCallback:
    """The callback settings of one WeCom app: token, EncodingAESKey, CorpID."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str):
        self.crypt = MessageCrypt(token, encoding_aes_key, corp_id)

    def check_url(self, query: Mapping[str, str], *, now: float | None = None) -> str:
        """The decrypted echostr to answer the URL check with."""
        return self.crypt.open(query.get("msg_signature", ""), query.get("timestamp", ""),
                               query.get("nonce", ""), query.get("echostr", ""), now=now)

    def read(self, query: Mapping[str, str], body: bytes, *,
             now: float | None = None) -> ExternalContactChange | None:
        """The external contact change in the POST, or None for any other
        event (answered "success", not handled here)."""
        envelope = wechat_xml.fields(body)
        plain = self.crypt.open(query.get("msg_signature", ""), query.get("timestamp", ""),
                                query.get("nonce", ""), envelope.get("Encrypt", ""), now=now)
        fields = wechat_xml.fields(plain)
        if fields.get("MsgType") != "event" or fields.get("Event") != CHANGE_EVENT:
            return None
        if not fields.get("ChangeType") or not fields.get("CreateTime", "").isdigit():
            raise wechat_xml.MalformedXml("change_external_contact without ChangeType/CreateTime")
        return ExternalContactChange(
            change=fields["ChangeType"], user_id=fields.get("UserID", ""),
            external_user_id=fields.get("ExternalUserID", ""),
            created=int(fields["CreateTime"]), state=fields.get("State", ""),
            welcome_code=fields.get("WelcomeCode", ""), source=fields.get("Source", ""))


class WeComClient(TokenApi):
    """`externalcontact/get` for the app whose secret has 客户联系 rights."""

    token_path = "gettoken"
    stale_token = frozenset({40014, 42001})
    credentials_hint = "check the CorpID and the secret of the app with 客户联系 rights"

    def __init__(self, corp_id: str, secret: str, *, api: str = API):
        super().__init__(api, corp_id, secret, f"WeCom at {api.rstrip('/')}")
        self.corp_id = corp_id

    def _token_params(self) -> dict[str, str]:
        return {"corpid": self.corp_id, "corpsecret": self._secret}

    def check_credentials(self) -> None:
        """gettoken with our CorpID and secret: the backend's "test connection"."""
        self._token()

    def external_contact(self, external_user_id: str) -> ExternalContact:
        answer = self._call("externalcontact/get", external_userid=external_user_id)
        contact = answer.get("external_contact") or {}
        follows = list(answer.get("follow_user") or ())
        while answer.get("next_cursor"):
            answer = self._call("externalcontact/get", external_userid=external_user_id,
                                cursor=answer["next_cursor"])
            follows += answer.get("follow_user") or ()
        return ExternalContact(
            external_user_id=contact.get("external_userid", external_user_id),
            name=contact.get("name", ""), type=int(contact.get("type") or 0),
            unionid=contact.get("unionid", ""), corp_name=contact.get("corp_name", ""),
            position=contact.get("position", ""), gender=int(contact.get("gender") or 0),
            follow_users=tuple(FollowUser(
                user_id=row.get("userid", ""), remark=row.get("remark", ""),
                created=int(row.get("createtime") or 0), state=row.get("state", ""),
                add_way=int(row.get("add_way") or 0),
                remark_mobiles=tuple(row.get("remark_mobiles") or ())) for row in follows))
