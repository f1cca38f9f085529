"""A Meta lead ad from the platform's webhook to the pipeline, nothing
replaced (issue 17's one inbound path), on SQLite and PostgreSQL: a signed
leadgen delivery is read from the Graph API (the double, over HTTP), its
answers mapped by the form's settings, and becomes a lead attributed to the
form and campaign, placed by sales' assignment rule; the same person's next
lead (same e-mail, another form) is a touch and an activity for the owner on
that lead, not a second lead; a forged delivery is refused with 403 and
leaves nothing. A 公众号 follower and a WeCom external contact with the same
unionid (read through each platform's API) are one lead."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.doubles.graph_double import GraphDouble, Lead as GraphLead
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.wechat_api_double import WeChatApiDouble
from tests.doubles.wecom_double import WeComDouble
from tests.helpers import add_user
from tests.invoicing_world import jobs_run_out

pytestmark = pytest.mark.addons("social_leads")
APP_SECRET = "meta-app-secret"
WECOM_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@pytest.fixture
def app(make_app):
    return make_app(hub_backoff_base_seconds=0.2, hub_backoff_ceiling_seconds=0.5)


def _leadgen(leadgen_id: str, form_id: str, created: int) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "444444444444", "time": created,
                                                    "changes": [{"field": "leadgen", "value": {
                                                        "leadgen_id": leadgen_id,
                                                        "form_id": form_id,
                                                        "page_id": "444444444444",
                                                        "ad_id": "AD7",
                                                        "created_time": created}}]}]}).encode()


def _signed(body: bytes, secret: str = APP_SECRET) -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body,
                                                         hashlib.sha256).hexdigest()}


def test_a_meta_lead_ad_becomes_one_lead_and_its_repeat_a_touch(app):
    from addons.sales.models import AssignmentMember, AssignmentRule
    from addons.sales.models.activity import Activity
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import LeadTouch
    from connectors.hub.models import Backend

    sam = add_user(app, "sam", ["Salesperson"])
    now = int(time.time())
    graph = GraphDouble(token="page-token")
    graph.add(GraphLead("7001", "F-EXPO", now - 120, {
        "full_name": ["林晓彤"], "work_email": ["Lin.Xiaotong@Haiyun-Logistics.example.cn"],
        "phone_number": ["+86 138 0571 2233"], "company_name": ["杭州海运物流有限公司"],
        "pallets_per_day": ["800"], "city": ["杭州"]}, ad_id="AD7", campaign_id="CAMP-42"))
    graph.add(GraphLead("7002", "F-DEMO", now - 60, {
        "full_name": ["林晓彤"], "email": ["lin.xiaotong@haiyun-logistics.example.cn"],
        "pallets_per_day": ["1200"]}, ad_id="AD9", campaign_id="CAMP-43"))
    server = JsonHttpServer(graph).start()
    try:
        with app.app_context():
            backend = Backend(name="Meta Page", kind="meta_leads", url=server.url,
                              secret=json.dumps({"app_secret": APP_SECRET, "verify_token": "vt",
                                                 "page_access_token": "page-token"}),
                              options_json=json.dumps({"forms": {
                                  "F-EXPO": {"pallets_per_day": "message"}}}), active=True)
            rule = AssignmentRule(name="Meta leads", source="meta")
            rule.members = [AssignmentMember(user_id=sam, weight=1)]
            db.session.add_all([backend, rule])
            db.session.commit()
            url = f"/social/meta/{backend.id}"
        web = app.test_client()
        first = _leadgen("7001", "F-EXPO", now - 120)
        assert web.post(url, data=first, headers=_signed(first)).status_code == 200
        forged = _leadgen("7002", "F-DEMO", now - 60)
        assert web.post(url, data=forged, headers=_signed(forged, "not-the-app-secret")
                        ).status_code == 403
        assert web.post(url, data=forged).status_code == 403  # unsigned
        assert [state for _, state, _ in jobs_run_out(app)] == ["done"]
        with app.app_context():
            assert db.session.scalar(select(func.count(Lead.id))) == 1  # the forged: nothing
            lead = db.session.scalars(select(Lead)).one()
            assert (lead.name, lead.contact_name, lead.company_name, lead.email, lead.phone,
                    lead.channel, lead.source, lead.form, lead.campaign, lead.owner_id) == (
                "林晓彤 - Meta", "林晓彤", "杭州海运物流有限公司",
                "lin.xiaotong@haiyun-logistics.example.cn", "+8613805712233", "meta", "meta",
                "F-EXPO", "CAMP-42", sam)
            assert lead.description.splitlines()[0] == "800"  # mapped to the message
            assert "city: 杭州" in lead.description and "meta_ad_id: AD7" in lead.description
            lead_id = lead.id
            db.session.remove()

        second = _leadgen("7002", "F-DEMO", now - 60)
        assert web.post(url, data=second, headers=_signed(second)).status_code == 200
        assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done"]
        assert graph.calls.count("/v21.0/7001") == graph.calls.count("/v21.0/7002") == 1
        with app.app_context():
            assert db.session.scalar(select(func.count(Lead.id))) == 1
            touches = db.session.execute(
                select(LeadTouch.lead_id, LeadTouch.external_id, LeadTouch.created,
                       LeadTouch.form, LeadTouch.campaign).order_by(LeadTouch.id)).all()
            assert [tuple(t) for t in touches] == [
                (lead_id, "7001", True, "F-EXPO", "CAMP-42"),
                (lead_id, "7002", False, "F-DEMO", "CAMP-43")]
            activity = db.session.execute(select(
                Activity.lead_id, Activity.owner_id, Activity.summary, Activity.note)).one()
            assert activity[:3] == (lead_id, sam, "Meta: submitted the form again")
            assert "pallets_per_day: 1200" in activity.note
    finally:
        server.stop()


def test_a_wechat_follower_and_a_wecom_contact_with_one_unionid_are_one_lead(app):
    from addons.sales.models.lead import Lead
    from addons.social_leads.models import LeadTouch, SocialIdentity
    from connectors.hub.models import Backend
    from connectors.social import wechat_xml
    from connectors.social.signatures import sha1_of_sorted
    from connectors.social.wechat_crypto import MessageCrypt

    app_id, corp = "wx2c2769f8efd9abc2", "ww1436e0e65a779aee"
    official = WeChatApiDouble(app_id=app_id, app_secret="oa-app-secret")
    official.add_follower("oFanLin", unionid="oUNION-LIN", scene="expo2026")
    wecom = WeComDouble(corp_id=corp)
    wecom.add_contact({"external_userid": "wmLIN", "name": "林晓彤", "type": 1,
                       "unionid": "oUNION-LIN", "corp_name": "杭州海运物流有限公司"},
                      [{"userid": "zhangsan", "createtime": 1733450000, "add_way": 1}])
    servers = [JsonHttpServer(official).start(), JsonHttpServer(wecom).start()]
    try:
        with app.app_context():
            oa = Backend(name="公众号", kind="wechat_official", url=servers[0].url,
                         username=app_id, active=True, options_json="{}",
                         secret=json.dumps({"token": "oa-token", "app_secret": "oa-app-secret"}))
            qy = Backend(name="企业微信", kind="wecom", url=f"{servers[1].url}/cgi-bin",
                         username=corp, active=True, options_json="{}",
                         secret=json.dumps({"token": "qy-token", "encoding_aes_key": WECOM_KEY,
                                            "secret": "contact-secret"}))
            db.session.add_all([oa, qy])
            db.session.commit()
            oa_url, qy_url = f"/social/wechat/{oa.id}", f"/social/wecom/{qy.id}"
        web, now = app.test_client(), str(int(time.time()))
        follow = wechat_xml.document({"ToUserName": "gh_10f6c3c3ac5a", "FromUserName": "oFanLin",
                                      "CreateTime": now, "MsgType": "event",
                                      "Event": "subscribe", "EventKey": "qrscene_expo2026"})
        signed = {"signature": sha1_of_sorted("oa-token", now, "11"), "timestamp": now,
                  "nonce": "11"}
        assert web.post(oa_url, query_string=signed, data=follow).status_code == 200
        assert [state for _, state, _ in jobs_run_out(app)] == ["done"]

        added = wechat_xml.document({
            "ToUserName": corp, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
            "Event": "change_external_contact", "ChangeType": "add_external_contact",
            "UserID": "zhangsan", "ExternalUserID": "wmLIN"})
        encrypted, msg_signature = MessageCrypt("qy-token", WECOM_KEY, corp).seal(
            added, now, "22")
        assert web.post(qy_url, query_string={"msg_signature": msg_signature, "timestamp": now,
                                              "nonce": "22"},
                        data=wechat_xml.document({"ToUserName": corp, "Encrypt": encrypted})
                        ).status_code == 200
        assert [state for _, state, _ in jobs_run_out(app)] == ["done", "done"]
        with app.app_context():
            lead_id = db.session.scalars(select(Lead.id)).one()  # one lead, not two
            touches = db.session.execute(select(LeadTouch.lead_id, LeadTouch.channel,
                                                LeadTouch.created).order_by(LeadTouch.id)).all()
            assert [tuple(t) for t in touches] == [(lead_id, "wechat_official", True),
                                                   (lead_id, "wecom", False)]
            identities = db.session.execute(select(SocialIdentity.kind, SocialIdentity.value,
                                                   SocialIdentity.lead_id)
                                            .order_by(SocialIdentity.id)).all()
            assert [tuple(i) for i in identities] == [
                (f"wechat_openid:{app_id}", "oFanLin", lead_id),
                ("wechat_unionid", "oUNION-LIN", lead_id),
                (f"wecom_external:{corp}", "wmLIN", lead_id)]
    finally:
        for server in servers:
            server.stop()
