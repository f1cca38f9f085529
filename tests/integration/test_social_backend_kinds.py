"""The social platforms as hub backends (connectors/social/backends.py): the
client a row describes, its "test connection" against the doubles over real
HTTP, and settings refused with words naming what to fix."""
from __future__ import annotations

import json

import pytest

from connectors.backend_kinds import make_client
from connectors.errors import PermanentError
from tests.doubles.graph_double import GraphDouble
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.linkedin_double import LinkedInDouble
from tests.doubles.wechat_api_double import WeChatApiDouble
from tests.doubles.wecom_double import WeComDouble

WECOM_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@pytest.fixture
def serve():
    servers = []

    def start(app):
        servers.append(JsonHttpServer(app).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_each_kind_tests_its_connection(serve):
    wechat = make_client("wechat_official", "https://api.weixin.qq.com", "", "wx2c2769f8efd9abc2",
                         json.dumps({"token": "t", "encoding_aes_key": WECOM_KEY}), {})
    assert wechat.test_connection().startswith(
        "公众号 wx2c2769f8efd9abc2, safe mode, no AppSecret: followers are known by their "
        "openid only;")
    oa = serve(WeChatApiDouble(app_id="wx2c2769f8efd9abc2", app_secret="oa-app-secret"))
    secret = {"token": "t", "app_secret": "oa-app-secret"}
    wechat = make_client("wechat_official", oa.url, "", "wx2c2769f8efd9abc2",
                         json.dumps(secret), {})
    assert wechat.test_connection().startswith(
        "公众号 wx2c2769f8efd9abc2, plaintext mode, access token granted;")
    wrong = make_client("wechat_official", oa.url, "", "wx2c2769f8efd9abc2",
                        json.dumps({**secret, "app_secret": "old"}), {})
    with pytest.raises(PermanentError, match="errcode 40001 invalid credential.*check the AppID"):
        wrong.test_connection()

    wecom = serve(WeComDouble(corp_id="wwcorp"))
    secret = {"token": "t", "encoding_aes_key": WECOM_KEY, "secret": "contact-secret"}
    client = make_client("wecom", f"{wecom.url}/cgi-bin", "", "wwcorp", json.dumps(secret), {})
    assert client.test_connection() == "WeCom corp wwcorp: access token granted"
    wrong = make_client("wecom", f"{wecom.url}/cgi-bin", "", "wwcorp",
                        json.dumps({**secret, "secret": "old"}), {})
    with pytest.raises(PermanentError, match="errcode 40001 invalid credential.*check the CorpID"):
        wrong.test_connection()

    graph = serve(GraphDouble(token="page-token"))
    meta = make_client("meta_leads", graph.url, "", "", json.dumps(
        {"app_secret": "a", "verify_token": "v", "page_access_token": "page-token"}), {})
    assert meta.test_connection() == "Meta Page Crossdock Demo Page (444444444444)"
    graph.app.expire_token()
    with pytest.raises(PermanentError, match="code 190.*connect the Page again"):
        meta.test_connection()

    linkedin = serve(LinkedInDouble(token="li-member-token"))
    secret = {"client_secret": "c", "access_token": "li-member-token"}
    client = make_client("linkedin_leads", f"{linkedin.url}/rest", "", "", json.dumps(secret), {})
    assert client.test_connection() == \
        f"LinkedIn at {linkedin.url}/rest: token and LinkedIn-Version accepted"
    linkedin.app.revoke()
    with pytest.raises(PermanentError, match="access refused.*authorise the LinkedIn app again"):
        client.test_connection()


@pytest.mark.parametrize("secret, words", [
    ("hunter2", r"secret is a JSON object such as \{"),
    (json.dumps({"token": "t", "encoding_aes_key": WECOM_KEY}), "secret lacks secret$"),
    (json.dumps({"token": "t", "encoding_aes_key": WECOM_KEY[:40], "secret": "s"}),
     "EncodingAESKey has 40 characters"),
])
def test_unusable_settings_say_what_to_fix(secret, words):
    with pytest.raises(ValueError, match=words):
        make_client("wecom", "https://qyapi.weixin.qq.com/cgi-bin", "", "wwcorp", secret, {})
