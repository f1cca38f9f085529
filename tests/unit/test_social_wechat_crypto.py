"""WeChat's message crypto against Tencent's own published vectors (the
WXBizMsgCrypt samples of the 公众号 and WeCom pages), then what it refuses."""
from __future__ import annotations

import pytest

from connectors.social.signatures import RequestRefused
from connectors.social.wechat_crypto import MessageCrypt

# 公众号 Java sample test (WXBizMsgCryptTest): a fixed random gives a fixed ciphertext.
OA_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OA_JAVA_CIPHER = ("jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhk"
                  "P72vVOfg==")
# 公众号 Python sample (Sample.py): a received text message and its msg_signature.
OA_PY_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQ"
    "HFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tED"
    "YsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbG"
    "py0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv"
    "1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")
# WeCom 加解密方案说明 "举例说明" and the samples' VerifyURL GET.
WECOM = MessageCrypt("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
WECOM_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj9"
    "11L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DO"
    "dnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03"
    "v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6Bp"
    "NelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==")
WECOM_ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="


def test_the_published_vectors_encrypt_and_decrypt_exactly():
    java = MessageCrypt("pamtest", OA_KEY, "wxb11529c136998cb6")
    assert java.encrypt("我是中文abcd123", random16=b"aaaabbbbccccdddd") == OA_JAVA_CIPHER
    assert java.decrypt(OA_JAVA_CIPHER) == "我是中文abcd123"

    python = MessageCrypt("spamtest", OA_KEY, "wx2c2769f8efd9abc2")
    text = python.open("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132",
                       OA_PY_ENCRYPT, now=1409735669)
    assert "<Content><![CDATA[abcdteT]]></Content>" in text
    assert "<MsgId>6054768590064713728</MsgId>" in text

    assert WECOM.open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149",
                      WECOM_ENCRYPT, now=1409659813) == (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
        "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
        "<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n"
        "<AgentID>218</AgentID>\n</xml>")
    assert WECOM.open("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
                      WECOM_ECHOSTR, now=1409659589) == "1616140317555161061"


def test_forged_replayed_and_misaddressed_messages_are_refused():
    signed = ("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149")
    with pytest.raises(RequestRefused, match="msg_signature"):
        WECOM.open("0" * 40, *signed[1:], WECOM_ENCRYPT, now=1409659813)
    with pytest.raises(RequestRefused, match="msg_signature"):  # one character of the body changed
        WECOM.open(*signed, "S" + WECOM_ENCRYPT[1:], now=1409659813)
    with pytest.raises(RequestRefused, match="from our clock"):  # the same request a day later
        WECOM.open(*signed, WECOM_ENCRYPT, now=1409659813 + 86400)

    other_corp = MessageCrypt("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwother")
    with pytest.raises(RequestRefused, match="not our 'wwother'"):
        other_corp.open(*signed, WECOM_ENCRYPT, now=1409659813)

    other_key = MessageCrypt("QDG6eK", OA_KEY, "wx5823bf96d3bd56c7")
    with pytest.raises(RequestRefused):
        other_key.open(*signed, WECOM_ENCRYPT, now=1409659813)

    with pytest.raises(ValueError, match="43"):
        MessageCrypt("t", OA_KEY[:-1], "wx")


def test_a_sealed_reply_opens_with_its_own_signature():
    encrypted, signature = WECOM.seal("<xml><Content><![CDATA[您好 👋]]></Content></xml>",
                                      "1733450000", "998877")
    assert WECOM.open(signature, "1733450000", "998877", encrypted, now=1733450010) == \
        "<xml><Content><![CDATA[您好 👋]]></Content></xml>"
