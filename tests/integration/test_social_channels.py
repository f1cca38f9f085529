"""The social_leads channels end to end up to intake, on real SQLite and
PostgreSQL, the remotes being the protocol doubles over real HTTP: per
platform the handshake, a valid delivery stored once however often it comes
and handed to intake as the right IncomingLead (intake itself is replaced by
a recorder here: it is tested on its own), a forged or replayed one refused
with 403 and nothing stored; WeChat's safe mode with Tencent's published
vectors and a sealed passive reply, a follower's unionid read through the
user info API (its rate limit retried, not failed); the Graph API's rate
limit retried, not failed; the Meta backfill finding the lead whose webhook never came."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from connectors.hub.models import Backend, InboundEvent, SyncJob
from connectors.social import signatures, wechat_api, wechat_xml
from connectors.social.signatures import sha1_of_sorted
from connectors.social.wechat_crypto import MessageCrypt
from core.db import db
from tests.doubles.graph_double import GraphDouble, Lead
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.linkedin_double import LinkedInDouble
from tests.doubles.wechat_api_double import WeChatApiDouble
from tests.doubles.wecom_double import WeComDouble
from tests.helpers import add_user
from tests.invoicing_world import jobs_run_out
from tests.unit.test_social_lead_webhooks import LINKEDIN_BODY
from tests.unit.test_social_wechat_crypto import OA_KEY, OA_PY_ENCRYPT, WECOM_ECHOSTR

pytestmark = pytest.mark.addons("social_leads")
WECOM_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@pytest.fixture
def app(make_app):
    return make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)


@pytest.fixture
def taken(monkeypatch):
    """What the channels hand to intake, in the order handed."""
    from addons.social_leads.services import intake

    got, lock = [], threading.Lock()

    def record(session, incoming):
        with lock:
            got.append(incoming)
        return intake.TakenIn(lead_id=len(got), created=not incoming.touch_only,
                              summary=f"took {incoming.external_id}")

    monkeypatch.setattr(intake, "take_in", record)
    return got


@contextmanager
def served(double):
    server = JsonHttpServer(double).start()
    try:
        yield server
    finally:
        server.stop()


def _backend(app, kind, url, secret: dict, username="", options=None, active=True) -> int:
    with app.app_context():
        row = Backend(name=f"{kind} {url}", kind=kind, url=url, username=username or None,
                      secret=json.dumps(secret), options_json=json.dumps(options or {}),
                      active=active)
        db.session.add(row)
        db.session.commit()
        return row.id


def _stored(app, source) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(InboundEvent.external_id).where(
            InboundEvent.source == source).order_by(InboundEvent.id)))
        db.session.remove()
        return found


def _attempts(app, kind) -> list[int]:
    with app.app_context():
        found = list(db.session.scalars(select(SyncJob.attempts).where(SyncJob.kind == kind)
                                        .order_by(SyncJob.id)))
        db.session.remove()
        return found


def _utc(epoch) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)


@contextmanager
def clock_at(monkeypatch, epoch: float):
    """The replay window's clock at a published vector's time (nothing else's)."""
    with monkeypatch.context() as patch:
        patch.setattr(signatures, "time", SimpleNamespace(time=lambda: float(epoch)))
        yield


def test_wechat_official_account_safe_mode(app, taken, monkeypatch):
    from addons.social_leads.services.incoming import Attribution, Identity, IncomingLead

    app_id, token = "wx2c2769f8efd9abc2", "spamtest"
    api = WeChatApiDouble(app_id=app_id, app_secret="oa-app-secret")
    api.add_follower("oFan1", unionid="oUNION1", scene="expo2026")
    server = JsonHttpServer(api).start()
    backend = _backend(app, "wechat_official", server.url,
                       {"token": token, "encoding_aes_key": OA_KEY,
                        "app_secret": "oa-app-secret"}, username=app_id,
                       options={"welcome": "欢迎关注", "scenes": {"expo2026": "上海车展 2026"}})
    web, url = app.test_client(), f"/social/wechat/{backend}"
    now = str(int(time.time()))
    check = {"signature": sha1_of_sorted(token, now, "42"), "timestamp": now, "nonce": "42",
             "echostr": "5837397520665436492"}
    assert web.get(url, query_string=check).get_data(as_text=True) == "5837397520665436492"
    assert web.get(f"/social/meta/{backend}").status_code == 404  # another kind's route
    assert web.get(f"/social/wechat/{backend + 99}", query_string=check).status_code == 404
    off = _backend(app, "wechat_official", "https://api.weixin.qq.com/off",
                   {"token": token, "encoding_aes_key": OA_KEY}, username=app_id, active=False)
    assert web.get(f"/social/wechat/{off}", query_string=check).status_code == 404

    # Tencent's published safe-mode text message (Sample.py), at its own time, twice
    sample = ("<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA["
              f"{OA_PY_ENCRYPT}]]></Encrypt></xml>")
    signed = {"signature": sha1_of_sorted(token, "1409735669", "1320562132"),
              "timestamp": "1409735669", "nonce": "1320562132", "encrypt_type": "aes",
              "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa"}
    with clock_at(monkeypatch, 1409735669):
        for _ in range(2):
            answer = web.post(url, query_string=signed, data=sample)
            assert (answer.status_code, answer.get_data(as_text=True)) == (200, "success")
    assert web.post(url, query_string=signed, data=sample).status_code == 403  # replayed now

    # a follow from a parametric QR code, sealed now: the welcome comes back sealed
    crypt = MessageCrypt(token, OA_KEY, app_id)
    follow = wechat_xml.document({"ToUserName": "gh_10f6c3c3ac5a", "FromUserName": "oFan1",
                                  "CreateTime": int(now), "MsgType": "event",
                                  "Event": "subscribe", "EventKey": "qrscene_expo2026",
                                  "Ticket": "gQH47joAAAAAAAAAASxodHRw"})
    encrypted, msg_signature = crypt.seal(follow, now, "777")
    body = wechat_xml.document({"ToUserName": "gh_10f6c3c3ac5a", "Encrypt": encrypted})
    query = {"signature": sha1_of_sorted(token, now, "777"), "timestamp": now, "nonce": "777",
             "encrypt_type": "aes", "msg_signature": msg_signature}
    reply = wechat_xml.fields(web.post(url, query_string=query, data=body).data)
    opened = wechat_xml.fields(crypt.open(reply["MsgSignature"], reply["TimeStamp"],
                                          reply["Nonce"], reply["Encrypt"]))
    assert (opened["ToUserName"], opened["MsgType"], opened["Content"]) == (
        "oFan1", "text", "欢迎关注")
    for forged in ({**query, "msg_signature": "0" * 40}, {**query, "signature": "0" * 40}):
        assert web.post(url, query_string=forged, data=body).status_code == 403
    altered = body.replace(encrypted, ("B" if encrypted[0] != "B" else "C") + encrypted[1:])
    assert web.post(url, query_string=query, data=altered).status_code == 403

    assert _stored(app, "social.wechat_official") == [
        f"{backend}:6054768590064713728", f"{backend}:oFan1:{now}"]
    api.busy(1)  # 45009 on the follower's info: the job is retried, not failed
    monkeypatch.setattr(wechat_api, "BUSY_PAUSE", 0.1)
    monkeypatch.setattr(wechat_api, "_tokens", {})  # none kept for a reused port
    try:
        assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done"]
    finally:
        server.stop()
    assert _attempts(app, "inbound.social.wechat_official") == [1, 2]  # the text: no read
    assert api.calls == ["/cgi-bin/token", "/cgi-bin/user/info", "/cgi-bin/user/info"]
    assert sorted(taken, key=lambda lead: lead.external_id) == [  # two followers: any order
        IncomingLead(attribution=Attribution("wechat_official"), external_id="6054768590064713728",
                     received_at=_utc(1409735668), message="abcdteT",
                     identities=(Identity(f"wechat_openid:{app_id}",
                                          "oyORnuP8q7ou2gfYjqLzSIWZf0rs"),),
                     extra={"wechat_event": "text"}, touch_only=True),
        IncomingLead(attribution=Attribution("wechat_official", campaign="上海车展 2026",
                                             qr_scene="expo2026"),
                     external_id=f"oFan1:{now}", received_at=_utc(int(now)),
                     identities=(Identity(f"wechat_openid:{app_id}", "oFan1"),
                                 Identity("wechat_unionid", "oUNION1")),
                     extra={"wechat_event": "event/subscribe", "wechat_language": "zh_CN"})]


def test_wecom_external_contact_added_by_an_employee(app, taken, monkeypatch):
    from addons.social_leads.services.incoming import Attribution, Identity, IncomingLead

    corp, token = "wx5823bf96d3bd56c7", "QDG6eK"
    ann = add_user(app, "ann", ["Salesperson"])
    double = WeComDouble(corp_id=corp)
    double.add_contact({"external_userid": "wmEXT1", "name": "王芳", "type": 1,
                        "unionid": "oUNION1", "corp_name": "杭州云栖科技", "position": "采购经理"},
                       [{"userid": "zhangsan", "remark": "展会客户", "createtime": 1733450000,
                         "state": "expo2026", "add_way": 1, "remark_mobiles": ["13800138000"]}])
    with served(double) as server:
        backend = _backend(app, "wecom", f"{server.url}/cgi-bin",
                           {"token": token, "encoding_aes_key": WECOM_KEY,
                            "secret": "contact-secret"}, username=corp,
                           options={"users": {"zhangsan": "ann@example.com"}})
        web, url = app.test_client(), f"/social/wecom/{backend}"
        check = {"msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
                 "timestamp": "1409659589", "nonce": "263014780", "echostr": WECOM_ECHOSTR}
        with clock_at(monkeypatch, 1409659589):  # Tencent's published URL check
            assert web.get(url, query_string=check).get_data(as_text=True) == \
                "1616140317555161061"
        assert web.get(url, query_string=check).status_code == 403  # the same check, replayed

        now = int(time.time())
        crypt = MessageCrypt(token, WECOM_KEY, corp)
        added = wechat_xml.document({
            "ToUserName": corp, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
            "Event": "change_external_contact", "ChangeType": "add_external_contact",
            "UserID": "zhangsan", "ExternalUserID": "wmEXT1", "State": "expo2026",
            "WelcomeCode": "WELCOME1"})
        encrypted, msg_signature = crypt.seal(added, str(now), "5150")
        body = wechat_xml.document({"ToUserName": corp, "AgentID": "1000005",
                                    "Encrypt": encrypted})
        query = {"msg_signature": msg_signature, "timestamp": str(now), "nonce": "5150"}
        for _ in range(2):
            answer = web.post(url, query_string=query, data=body)
            assert (answer.status_code, answer.get_data(as_text=True)) == (200, "success")
        assert web.post(url, query_string={**query, "nonce": "5151"}, data=body
                        ).status_code == 403
        assert _stored(app, "social.wecom") == [
            f"{corp}:add_external_contact:zhangsan:wmEXT1:{now}"]
        assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
    assert taken == [IncomingLead(
        attribution=Attribution("wecom", campaign="expo2026"),
        external_id=f"add_external_contact:zhangsan:wmEXT1:{now}", received_at=_utc(now),
        name="王芳", company="杭州云栖科技", phone="13800138000",
        identities=(Identity(f"wecom_external:{corp}", "wmEXT1"),
                    Identity("wechat_unionid", "oUNION1")),
        owner_id=ann, extra={"wecom_change": "add_external_contact", "position": "采购经理",
                             "remark": "展会客户"})]


def _meta_signature(body: bytes, secret="meta-app-secret") -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_meta_lead_ads_with_a_rate_limit_and_the_backfill(app, taken):
    from addons.social_leads.channels.meta_backfill import backfill
    from addons.social_leads.services.incoming import Attribution, IncomingLead

    now = int(time.time())
    double = GraphDouble(token="page-token")
    double.add(Lead("9001", "F1", now - 60, {
        "full_name": ["李雷"], "email": ["li.lei@example.cn"], "phone_number": ["+8613800138000"],
        "company_name": ["杭州云栖科技"], "budget": ["50万"], "city": ["杭州"]},
        ad_id="A1", campaign_id="C1"))
    double.add(Lead("9002", "F1", now - 30, {"full_name": ["Ann Smith"],
                                             "work_email": ["ann@example.com"],
                                             "country": ["GB"]}))  # its webhook never came
    with served(double) as server:
        double.base_url = server.url
        backend = _backend(app, "meta_leads", server.url,
                           {"app_secret": "meta-app-secret", "verify_token": "vt-2026",
                            "page_access_token": "page-token"},
                           options={"forms": {"F1": {"budget": "message"}}})
        web, url = app.test_client(), f"/social/meta/{backend}"
        check = {"hub.mode": "subscribe", "hub.verify_token": "vt-2026",
                 "hub.challenge": "1158201444"}
        assert web.get(url, query_string=check).get_data(as_text=True) == "1158201444"
        assert web.get(url, query_string={**check, "hub.verify_token": "x"}).status_code == 403

        body = json.dumps({"object": "page", "entry": [{"id": "444444", "time": now, "changes": [
            {"field": "leadgen", "value": {"leadgen_id": "9001", "form_id": "F1",
                                           "page_id": "444444", "ad_id": "A1",
                                           "created_time": now - 60}}]}]}).encode()
        for _ in range(2):  # Meta retries until it sees a 200
            assert web.post(url, data=body, headers={
                "X-Hub-Signature-256": _meta_signature(body)}).status_code == 200
        assert web.post(url, data=body, headers={
            "X-Hub-Signature-256": _meta_signature(body, "other")}).status_code == 403
        assert web.post(url, data=body).status_code == 403
        double.throttle(1, minutes=0.01)  # code 32, regain access in 0.6 s
        assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
        assert _attempts(app, "inbound.social.meta") == [2]

        with app.app_context():
            said = backfill(db.session)
        assert said == "form F1: 2 leads of the last 48 h read"
        assert _stored(app, "social.meta") == ["9001", "9002"]
        assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done"]
    assert taken == [
        IncomingLead(attribution=Attribution("meta", campaign="C1", form="F1"), external_id="9001",
                     received_at=_utc(now - 60), name="李雷", company="杭州云栖科技",
                     email="li.lei@example.cn", phone="+8613800138000", message="50万",
                     extra={"city": "杭州", "meta_ad_id": "A1", "meta_platform": "fb"}),
        IncomingLead(attribution=Attribution("meta", form="F1"), external_id="9002",
                     received_at=_utc(now - 30), name="Ann Smith", email="ann@example.com",
                     country_code="GB", extra={"meta_platform": "fb"})]


def test_linkedin_lead_sync(app, taken):
    from addons.social_leads.services.incoming import Attribution, IncomingLead

    double = LinkedInDouble()
    double.add({"id": "1a2b3c-4", "owner": {"sponsoredAccount": "urn:li:sponsoredAccount:123"},
                "leadType": "SPONSORED", "submittedAt": 1686182358000, "testLead": False,
                "versionedLeadGenFormUrn": "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)",
                "formResponse": {"answers": [
                    {"questionId": 1, "answerDetails": {"textQuestionAnswer": {"answer": "Jane Doe"}}},
                    {"questionId": 2, "answerDetails": {"textQuestionAnswer": {
                        "answer": "jane@example.com"}}},
                    {"questionId": 3, "answerDetails": {"multipleChoiceAnswer": {
                        "options": ["CRM", "ERP"]}}}],
                    "consentResponses": [{"consentId": 7, "accepted": True}]}})
    secret = "li-client-secret"
    with served(double) as server:
        backend = _backend(app, "linkedin_leads", f"{server.url}/rest",
                           {"client_secret": secret, "access_token": "li-member-token"},
                           options={"forms": {"1": {"1": "name", "2": "email"}}})
        web, url = app.test_client(), f"/social/linkedin/{backend}"
        assert web.get(url, query_string={"challengeCode": "890e4665-4dfe"}).get_json() == {
            "challengeCode": "890e4665-4dfe",
            "challengeResponse": hmac.new(secret.encode(), b"890e4665-4dfe",
                                          hashlib.sha256).hexdigest()}
        signature = hmac.new(secret.encode(), b"hmacsha256=" + LINKEDIN_BODY,
                             hashlib.sha256).hexdigest()
        for _ in range(2):
            assert web.post(url, data=LINKEDIN_BODY,
                            headers={"X-LI-Signature": signature}).status_code == 200
        assert web.post(url, data=LINKEDIN_BODY.replace(b"1a2b3c-4", b"1a2b3c-5"),
                        headers={"X-LI-Signature": signature}).status_code == 403
        other = b'{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"}'  # signed, not a lead
        assert web.post(url, data=other, headers={"X-LI-Signature": hmac.new(
            secret.encode(), b"hmacsha256=" + other, hashlib.sha256).hexdigest()}
                        ).status_code == 200
        assert _stored(app, "social.linkedin") == [
            "1a2b3c-4:CREATED", "unreadable:" + hashlib.sha256(other).hexdigest()]
        double.throttle(1)  # 429: retried
        assert jobs_run_out(app)[1:] == [  # kept, failed with the reason, for a replay
            ("inbound.social.linkedin", "failed",
             "the platform's request could not be read: not a LEAD_ACTION notification")]
    assert _attempts(app, "inbound.social.linkedin") == [2, 1]
    assert taken == [IncomingLead(
        attribution=Attribution("linkedin", form="1"), external_id="1a2b3c-4",
        received_at=_utc(1686182358), name="Jane Doe", email="jane@example.com",
        extra={"3": "CRM, ERP"})]
