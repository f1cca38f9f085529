"""What a 公众号 and a WeCom app post to us, as the platform pages show it:
the URL checks, follow/scan/text in plaintext and safe mode, passive
replies, external contact changes, and dedupe keys."""
from __future__ import annotations

import hashlib

import pytest

from connectors.social import wechat_xml
from connectors.social.signatures import RequestRefused
from connectors.social.wechat_crypto import MessageCrypt
from connectors.social.wechat_official import FOLLOW, SCAN, TEXT, UNFOLLOW, OfficialAccount
from connectors.social.wecom import WeComCallback

TOKEN, APP_ID, KEY = "crossdock", "wx2c2769f8efd9abc2", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
NOW = 1733450000
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def signed(token=TOKEN, timestamp=NOW, nonce="1320562132", **extra):
    """The query the platform sends: SHA-1 of sorted token, timestamp, nonce."""
    parts = sorted([token, str(timestamp), nonce])
    return {"signature": hashlib.sha1("".join(parts).encode()).hexdigest(),
            "timestamp": str(timestamp), "nonce": nonce, **extra}


def event(name, key="", ticket="", created=NOW - 1):
    return (f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<FromUserName><![CDATA[{OPENID}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{name}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey><Ticket><![CDATA[{ticket}]]></Ticket></xml>"
            ).encode()


def test_server_url_check_answers_echostr_only_to_the_platform():
    account = OfficialAccount(TOKEN, APP_ID)
    assert account.check_server_url(signed(echostr="7135289147294718"), now=NOW) == "7135289147294718"
    with pytest.raises(RequestRefused, match="signature"):
        account.check_server_url(signed(token="not-ours", echostr="1"), now=NOW)
    with pytest.raises(RequestRefused, match="from our clock"):
        account.check_server_url(signed(echostr="1"), now=NOW + 3600)


def test_plaintext_follow_scan_unfollow_and_text():
    account = OfficialAccount(TOKEN, APP_ID)
    follow = account.read(signed(), event("subscribe", "qrscene_spring-fair", "gQH47joAAAAA"), now=NOW)
    assert (follow.kind, follow.openid, follow.scene, follow.ticket, follow.account) == (
        FOLLOW, OPENID, "spring-fair", "gQH47joAAAAA", "gh_10f6c3c3ac5a")
    assert follow.dedupe_key == f"{OPENID}:{NOW - 1}"
    scan = account.read(signed(), event("SCAN", "spring-fair"), now=NOW)
    assert (scan.kind, scan.scene) == (SCAN, "spring-fair")
    assert account.read(signed(), event("subscribe"), now=NOW).scene == ""  # a follow without a code
    assert account.read(signed(), event("unsubscribe"), now=NOW).kind == UNFOLLOW
    text = account.read(signed(), (
        f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[{OPENID}]]>"
        "</FromUserName><CreateTime>1733449990</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[想了解报价]]></Content><MsgId>6054768590064713728</MsgId></xml>").encode(),
        now=NOW)
    assert (text.kind, text.text, text.dedupe_key) == (TEXT, "想了解报价", "6054768590064713728")
    with pytest.raises(wechat_xml.MalformedXml):
        account.read(signed(), b"<xml><MsgType>text</MsgType></xml>", now=NOW)
    with pytest.raises(wechat_xml.MalformedXml):
        account.read(signed(), b"{\"not\": \"xml\"}", now=NOW)
    with pytest.raises(RequestRefused):  # the body is fine, the query is forged
        account.read(signed(token="x"), event("subscribe", "qrscene_1"), now=NOW)


def test_safe_mode_message_and_its_encrypted_passive_reply():
    account = OfficialAccount(TOKEN, APP_ID, KEY)
    platform = MessageCrypt(TOKEN, KEY, APP_ID)  # the platform's side of the same settings
    encrypted, msg_signature = platform.seal(event("subscribe", "qrscene_42").decode(),
                                             str(NOW), "55")
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = signed(nonce="55", encrypt_type="aes", msg_signature=msg_signature, openid=OPENID)
    follow = account.read(query, body.encode(), now=NOW)
    assert (follow.kind, follow.scene, follow.safe) == (FOLLOW, "42", True)

    reply = wechat_xml.fields(account.reply_text(follow, "欢迎关注 Crossdock", now=NOW + 1, nonce="77"))
    assert reply["TimeStamp"] == str(NOW + 1) and reply["Nonce"] == "77"
    inner = wechat_xml.fields(platform.open(reply["MsgSignature"], reply["TimeStamp"], "77",
                                            reply["Encrypt"], now=NOW + 1))
    assert inner == {"ToUserName": OPENID, "FromUserName": "gh_10f6c3c3ac5a",
                     "CreateTime": str(NOW + 1), "MsgType": "text", "Content": "欢迎关注 Crossdock"}

    with pytest.raises(RequestRefused, match="msg_signature"):
        account.read({**query, "msg_signature": "f" * 40}, body.encode(), now=NOW)
    with pytest.raises(RequestRefused, match="EncodingAESKey"):
        OfficialAccount(TOKEN, APP_ID).read(query, body.encode(), now=NOW)


def test_wecom_external_contact_added_through_a_contact_me_code():
    corp, token, key = "ww1436e0e65a779aee", "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", KEY
    callback, platform = WeComCallback(token, key, corp), MessageCrypt(token, key, corp)
    echo, echo_signature = platform.seal("5927782489442352469", str(NOW), "1")
    assert callback.check_url({"msg_signature": echo_signature, "timestamp": str(NOW),
                               "nonce": "1", "echostr": echo}, now=NOW) == "5927782489442352469"

    def post(inner):
        encrypted, signature = platform.seal(inner, str(NOW), "9")
        return callback.read({"msg_signature": signature, "timestamp": str(NOW), "nonce": "9"},
                             f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><AgentID><![CDATA[]]>"
                             f"</AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode(),
                             now=NOW)

    added = post(f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]>"
                 "</FromUserName><CreateTime>1733449999</CreateTime><MsgType><![CDATA[event]]>"
                 "</MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA["
                 "add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID>"
                 "<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID>"
                 "<State><![CDATA[expo-2026]]></State><WelcomeCode><![CDATA[WELCOMECODE]]>"
                 "</WelcomeCode></xml>")
    assert (added.change, added.user_id, added.external_user_id, added.state, added.welcome_code) == (
        "add_external_contact", "zhangsan", "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", "expo-2026",
        "WELCOMECODE")
    assert added.dedupe_key == "add_external_contact:zhangsan:woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA:1733449999"
    assert post("<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>"
                "<CreateTime>1733449999</CreateTime></xml>") is None
