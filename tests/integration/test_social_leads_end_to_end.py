"""A Meta lead ad from the platform's webhook to the pipeline, nothing
replaced (issue 17's one inbound path), on SQLite and PostgreSQL: a signed
leadgen delivery is read from the Graph API (the double, over HTTP), its
answers mapped by the form's settings, and becomes a lead attributed to the
form and campaign, placed by sales' assignment rule; the same person's next
lead (same e-mail, another form) is a touch and an activity for the owner on
that lead, not a second lead; a forged delivery is refused with 403 and
leaves nothing."""
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
from tests.helpers import add_user
from tests.invoicing_world import jobs_run_out

pytestmark = pytest.mark.addons("social_leads")
APP_SECRET = "meta-app-secret"


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
