"""The four social lead platforms as hub backends (Integration > Backends):
one kind per platform, the client a backend row describes, each with
`test_connection()`. The row's one encrypted secret holds a JSON object of
the platform's secrets (all encrypted at rest together); `options` holds
the rest (per-form field mapping, QR scenes, user mapping), read by the
social_leads addon, not here.

- `wechat_official` (微信公众号): `url` the API base (https://api.weixin.qq.com),
  `username` the AppID, secret {"token", "encoding_aes_key" (safe mode, 43
  characters), "app_secret" (optional: the follower's unionid through the
  user info API)}. WeChat checks our server URL itself when it is saved in
  the 公众号 settings; the test fetches an access token when the AppSecret
  is set, else checks the settings (a usable EncodingAESKey).
- `wecom` (企业微信 external contacts): `url` the API base
  (https://qyapi.weixin.qq.com/cgi-bin), `username` the CorpID, secret
  {"token", "encoding_aes_key", "secret" (of the app with 客户联系 rights)};
  the test fetches an access token (gettoken).
- `meta_leads`: `url` the Graph API (https://graph.facebook.com), secret
  {"app_secret", "verify_token", "page_access_token"}, options {"version"}
  (default meta_leads.VERSION); the test reads the Page (`GET /me`).
- `linkedin_leads`: `url` the API (https://api.linkedin.com/rest), secret
  {"client_secret", "access_token"}, options {"version"} (LinkedIn-Version);
  the test reads a lead that cannot exist: "not found" means LinkedIn took
  the token and the version (401/403/426 say what is wrong).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import PermanentError
from .linkedin_leads import VERSION as LINKEDIN_VERSION, LeadSyncClient
from .meta_leads import VERSION as GRAPH_VERSION, GraphLeads
from .wechat_official import OfficialAccount, OfficialApi
from .wecom import WeComCallback, WeComClient

WECHAT_OFFICIAL, WECOM, META_LEADS, LINKEDIN_LEADS = (
    "wechat_official", "wecom", "meta_leads", "linkedin_leads")
KINDS = (WECHAT_OFFICIAL, WECOM, META_LEADS, LINKEDIN_LEADS)
_SECRETS = {WECHAT_OFFICIAL: ("token",), WECOM: ("token", "encoding_aes_key", "secret"),
            META_LEADS: ("app_secret", "verify_token", "page_access_token"),
            LINKEDIN_LEADS: ("client_secret", "access_token")}


@dataclass(frozen=True)
class WeChatOfficialBackend:
    app_id: str
    account: OfficialAccount
    api: OfficialApi | None = None  # with the AppSecret only

    def test_connection(self) -> str:
        mode = "safe mode" if self.account.crypt else "plaintext mode"
        if self.api is None:
            reach = "no AppSecret: followers are known by their openid only"
        else:
            self.api.check_credentials()
            reach = "access token granted"
        return (f"公众号 {self.app_id}, {mode}, {reach}; WeChat checks the server URL itself "
                "when it is saved in the 公众号's 服务器配置")


@dataclass(frozen=True)
class WeComBackend:
    corp_id: str
    callback: WeComCallback
    api: WeComClient

    def test_connection(self) -> str:
        self.api.check_credentials()
        return f"WeCom corp {self.corp_id}: access token granted"


@dataclass(frozen=True)
class MetaLeadsBackend:
    app_secret: str
    verify_token: str
    graph: GraphLeads

    def test_connection(self) -> str:
        return f"Meta Page {self.graph.page()}"


@dataclass(frozen=True)
class LinkedInLeadsBackend:
    client_secret: str
    api: LeadSyncClient

    def test_connection(self) -> str:
        try:
            self.api.lead("0")
        except PermanentError as exc:
            if "no longer exists" not in str(exc):
                raise
        return f"{self.api.what}: token and LinkedIn-Version accepted"


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict):
    if kind not in KINDS:
        raise ValueError(f"unknown social kind {kind!r} (known: {', '.join(KINDS)})")
    keys = _secrets(kind, secret)
    if kind == WECHAT_OFFICIAL:
        if not username:
            raise ValueError("a 公众号 backend needs its AppID as the username")
        app_secret = keys.get("app_secret", "")
        return WeChatOfficialBackend(
            username, OfficialAccount(keys["token"], username, keys.get("encoding_aes_key", "")),
            OfficialApi(username, app_secret, api=url) if app_secret else None)
    if kind == WECOM:
        if not username:
            raise ValueError("a WeCom backend needs the CorpID as the username")
        return WeComBackend(username, WeComCallback(keys["token"], keys["encoding_aes_key"],
                                                    username),
                            WeComClient(username, keys["secret"], api=url))
    if kind == META_LEADS:
        return MetaLeadsBackend(keys["app_secret"], keys["verify_token"], GraphLeads(
            keys["page_access_token"], graph=url,
            version=options.get("version") or GRAPH_VERSION))
    return LinkedInLeadsBackend(keys["client_secret"], LeadSyncClient(
        keys["access_token"], api=url, version=options.get("version") or LINKEDIN_VERSION))


def _secrets(kind: str, secret: str) -> dict[str, str]:
    """The secret's JSON object, every key the kind needs present."""
    try:
        keys = json.loads(secret or "{}")
    except ValueError:
        keys = None
    if not isinstance(keys, dict):
        raise ValueError(f"a {kind} backend's secret is a JSON object such as "
                         f"{json.dumps(dict.fromkeys(_SECRETS[kind], '...'))}")
    missing = [key for key in _SECRETS[kind] if not keys.get(key)]
    if missing:
        raise ValueError(f"the {kind} backend's secret lacks {', '.join(missing)}")
    return {key: str(value) for key, value in keys.items()}
