"""The social clients against doubles of Graph, WeCom, the 公众号 API and
LinkedIn over real HTTP: a lead (or a follower) read field by field, the
backfill through every page, tokens fetched once and renewed when the remote
says so, and each remote's refusals and rate limits classified as the hub
needs them."""
from __future__ import annotations

import pytest

from connectors.errors import PermanentError, TransientError
from connectors.social import wechat_api
from connectors.social.linkedin_leads import LeadSyncClient
from connectors.social.meta_leads import GraphLeads
from connectors.social.wechat_official import FollowerInfo, OfficialApi
from connectors.social.wecom import WeComClient
from tests.doubles.graph_double import GraphDouble, Lead
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.linkedin_double import LinkedInDouble
from tests.doubles.wechat_api_double import WeChatApiDouble
from tests.doubles.wecom_double import WeComDouble


@pytest.fixture
def serve():
    servers = []

    def start(app):
        server = JsonHttpServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_graph_lead_backfill_and_errors(serve):
    server = serve(GraphDouble(page_size=2))
    graph = server.app
    graph.base_url = server.url
    for n, created in enumerate((1733400000, 1733400100, 1733400200, 1733400300, 1733300000)):
        graph.add(Lead(f"90{n}", "form-7", created, {"email": [f"lead{n}@example.com"],
                                                     "full_name": [f"客户 {n}"],
                                                     "interests": ["crm", "erp"]},
                       ad_id="ad-3" if n else "", campaign_id="camp-1" if n else ""))
    client = GraphLeads("page-token", graph=server.url)

    lead = client.lead("901")
    assert (lead.leadgen_id, lead.created_time, lead.form_id, lead.ad_id, lead.campaign_id,
            lead.is_organic) == ("901", "2024-12-05T12:01:40+0000", "form-7", "ad-3", "camp-1",
                                 False)
    assert lead.fields == {"email": ("lead1@example.com",), "full_name": ("客户 1",),
                           "interests": ("crm", "erp")}
    missed = [lead.leadgen_id for lead in client.leads_since("form-7", 1733400000)]
    assert missed == ["903", "902", "901"]  # newest first, over two pages, 900 not after `since`
    assert graph.calls.count("/v21.0/form-7/leads") == 2

    graph.throttle(1, minutes=3)
    with pytest.raises(TransientError, match=r"\(#32\) Page request limit") as limited:
        client.lead("901")
    assert limited.value.retry_after == 180
    with pytest.raises(PermanentError, match="code 100, subcode 33"):
        client.lead("does-not-exist")
    graph.expire_token()
    with pytest.raises(PermanentError, match="code 190, subcode 463.*connect the Page again"):
        client.lead("901")


def test_wecom_contact_with_token_cache_and_refusals(serve):
    wechat_api._tokens.clear()
    server = serve(WeComDouble(follow_page=1))
    remote = server.app
    remote.add_contact({"external_userid": "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", "name": "李雷",
                        "type": 1, "unionid": "oAAAAAbbbbbCCCCCdddd", "gender": 1},
                       [{"userid": "zhangsan", "remark": "展会", "createtime": 1733449999,
                         "state": "expo-2026", "add_way": 1, "remark_mobiles": ["13800000000"]},
                        {"userid": "lisi", "createtime": 1733450100, "add_way": 3}])
    client = WeComClient("ww1436e0e65a779aee", "contact-secret", api=f"{server.url}/cgi-bin")

    contact = client.external_contact("woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA")
    assert (contact.name, contact.unionid, contact.type) == ("李雷", "oAAAAAbbbbbCCCCCdddd", 1)
    assert [(f.user_id, f.state, f.created, f.remark_mobiles) for f in contact.follow_users] == [
        ("zhangsan", "expo-2026", 1733449999, ("13800000000",)), ("lisi", "", 1733450100, ())]
    client.external_contact("woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA")
    assert len(remote.tokens) == 1  # cached across calls (and paging)

    remote.expire_tokens()  # 42001: fetched anew once, the call goes through
    assert client.external_contact("woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA").name == "李雷"
    assert len(remote.tokens) == 2

    remote.busy(1)
    with pytest.raises(TransientError, match="45009 api freq out of limit"):
        client.external_contact("woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA")
    with pytest.raises(PermanentError, match="84061 not external contact"):
        client.external_contact("wo-unknown")
    wrong = WeComClient("ww1436e0e65a779aee", "wrong-secret", api=f"{server.url}/cgi-bin")
    with pytest.raises(PermanentError, match="40001 invalid credential.*check the CorpID and the secret"):
        wrong.external_contact("woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA")


def test_wechat_follower_info_with_token_renewal_and_refusals(serve, monkeypatch):
    monkeypatch.setattr(wechat_api, "_tokens", {})
    server = serve(WeChatApiDouble(app_id="wx2c2769f8efd9abc2", app_secret="oa-app-secret"))
    remote = server.app
    remote.add_follower("oFan1", unionid="oUNION1", scene="expo2026")
    remote.add_follower("oFan2", language="en")  # the 公众号 bound to no Open Platform account
    client = OfficialApi("wx2c2769f8efd9abc2", "oa-app-secret", api=server.url)

    assert client.user_info("oFan1") == FollowerInfo(
        openid="oFan1", unionid="oUNION1", language="zh_CN",
        subscribe_scene="ADD_SCENE_QR_CODE", qr_scene_str="expo2026")
    assert client.user_info("oFan2") == FollowerInfo(
        openid="oFan2", language="en", subscribe_scene="ADD_SCENE_SEARCH")
    assert len(remote.tokens) == 1  # cached across calls

    remote.expire_tokens()  # 42001 mid-run: fetched anew once, the call goes through
    assert client.user_info("oFan1").unionid == "oUNION1"
    assert len(remote.tokens) == 2
    assert remote.calls[-3:] == ["/cgi-bin/user/info", "/cgi-bin/token", "/cgi-bin/user/info"]

    remote.busy(1)
    with pytest.raises(TransientError, match="errcode 45009 reach max api daily quota"):
        client.user_info("oFan1")
    with pytest.raises(PermanentError, match="user/info refused: errcode 40003 invalid openid"):
        client.user_info("o-not-ours")
    wrong = OfficialApi("wx2c2769f8efd9abc2", "old-secret", api=server.url)
    with pytest.raises(PermanentError, match="40001 invalid credential.*check the AppID, the "
                                             "AppSecret and that this server's IP"):
        wrong.user_info("oFan1")


def test_linkedin_lead_response_and_errors(serve):
    server = serve(LinkedInDouble())
    remote = server.app
    remote.add({"id": "aaaabbbb-0000-cccc-1111-dddd2222eeee-5", "leadType": "SPONSORED",
                "owner": {"sponsoredAccount": "urn:li:sponsoredAccount:522529623"},
                "versionedLeadGenFormUrn": "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:818,1)",
                "submitter": "urn:li:person:MpGcnvaU_p", "submittedAt": 1686182358881,
                "testLead": False,
                "formResponse": {"answers": [
                    {"questionId": 1, "answerDetails": {"textQuestionAnswer": {"answer": "Ada"}}},
                    {"questionId": 3, "answerDetails": {"textQuestionAnswer":
                                                        {"answer": "ada@example.com"}}},
                    {"questionId": 7, "answerDetails": {"multipleChoiceAnswer":
                                                        {"options": [2, 4]}}}],
                    "consentResponses": [{"consentId": 1, "accepted": True},
                                         {"consentId": 2, "accepted": False}]}})
    client = LeadSyncClient("li-member-token", api=f"{server.url}/rest")

    lead = client.lead("aaaabbbb-0000-cccc-1111-dddd2222eeee-5")
    assert (lead.form, lead.lead_type, lead.submitted_at, lead.test_lead) == (
        "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:818,1)", "SPONSORED", 1686182358881, False)
    assert lead.answers == {1: "Ada", 3: "ada@example.com", 7: "2, 4"}
    assert lead.consents == {1: True, 2: False}

    remote.throttle(1)
    with pytest.raises(TransientError, match="HTTP 429"):
        client.lead("aaaabbbb-0000-cccc-1111-dddd2222eeee-5")
    with pytest.raises(PermanentError, match="HTTP 404: Not Found; the lead no longer exists"):
        client.lead("gone-1")
    old = LeadSyncClient("li-member-token", api=f"{server.url}/rest", version="202301")
    with pytest.raises(PermanentError, match="202301 is not active; this LinkedIn-Version"):
        old.lead("aaaabbbb-0000-cccc-1111-dddd2222eeee-5")
    remote.revoke()
    with pytest.raises(PermanentError, match="access refused.*revoked by the user; the access token"):
        client.lead("aaaabbbb-0000-cccc-1111-dddd2222eeee-5")
