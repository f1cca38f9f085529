"""Lead scoring: points per field value and per done activity, recomputed in
the flush that changes a lead or its activities, recomputed for every lead
when the rules change, and filterable/sortable on the list and over REST."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")

RULES = [  # name, kind, field, value, activity kind, points
    ("web leads", "field", "source", "Web", None, 20),
    ("east China", "field", "region", "华东", None, 15),
    ("has e-mail", "field", "has_email", None, None, 5),
    ("has phone", "field", "has_phone", None, None, 5),
    ("has company", "field", "has_company", None, None, 10),
    ("top priority", "field", "priority", "3", None, 10),
    ("VIP tag", "field", "tag", "vip", None, 30),
    ("calls", "activity", None, None, "call", 7),
    ("meetings", "activity", None, None, "meeting", 12),
]


@pytest.fixture
def world(app):
    install(app, "sales", "contacts")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A"),
             "s3": add_user(app, "s3", ["Salesperson"], "B")}
    with app.app_context():
        from addons.contacts.models import Tag
        from addons.sales.models import Lead, ScoringRule

        db.session.add_all(ScoringRule(name=n, kind=k, field=f, value=v, activity_kind=a,
                                       points=p) for n, k, f, v, a, p in RULES)
        vip = Tag(name="VIP")
        db.session.add(vip)
        db.session.flush()
        leads = {
            "hot": Lead(name="hot", source="web", region="华东", email="a@b.cn", phone="1",
                        company_name="Hot Co", priority=3, tags=[vip], owner_id=users["s1"]),
            "warm": Lead(name="warm", source="fair", email="c@d.cn", owner_id=users["s1"]),
            "cold": Lead(name="cold", owner_id=users["s1"]),
            "other": Lead(name="other", source="web", owner_id=users["s3"]),
        }
        db.session.add_all(leads.values())
        db.session.commit()
        ids = {k: v.id for k, v in leads.items()}
    return app, users, ids


def scores(app) -> dict[str, int]:
    with app.app_context():
        from addons.sales.models import Lead

        return dict(db.session.execute(select(Lead.name, Lead.score)).all())


def test_field_rules_score_new_and_changed_leads(world):
    app, _, ids = world
    assert scores(app) == {"hot": 20 + 15 + 5 + 5 + 10 + 10 + 30, "warm": 5, "cold": 0,
                           "other": 20}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    resp = client.put(f"/api/v1/lead/{ids['cold']}", headers=headers,
                      json={"source": "WEB", "phone": "13800138000"})
    assert resp.status_code == 200, resp.get_json()
    assert scores(app)["cold"] == 25
    resp = client.post("/api/v1/lead/", headers=headers,
                       json={"name": "fresh", "region": "华东", "company_name": "X"})
    got = client.get(f"/api/v1/lead/{resp.get_json()['id']}", headers=headers).get_json()
    assert got["result"]["score"] == 25
    assert client.put(f"/api/v1/lead/{ids['cold']}", headers=headers,
                      json={"score": 999}).status_code == 422
    assert scores(app)["cold"] == 25


def test_done_activities_add_points_and_undoing_removes_them(world):
    app, users, ids = world
    with app.app_context():
        from addons.sales.models import Activity

        today = dt.date.today()
        now = dt.datetime.utcnow()
        call = Activity(kind="call", summary="intro call", due_date=today,
                        owner_id=users["s1"], lead_id=ids["warm"], done_at=now)
        open_meeting = Activity(kind="meeting", summary="demo", due_date=today,
                                owner_id=users["s1"], lead_id=ids["warm"])
        db.session.add_all([call, open_meeting,
                            Activity(kind="call", summary="follow-up", due_date=today,
                                     owner_id=users["mgr"], lead_id=ids["warm"], done_at=now)])
        db.session.commit()
        call_id, meeting_id = call.id, open_meeting.id
    assert scores(app)["warm"] == 5 + 2 * 7  # the open meeting counts for nothing yet
    with app.app_context():
        from addons.sales.models import Activity

        db.session.get(Activity, meeting_id).done_at = dt.datetime.utcnow()
        db.session.commit()
    assert scores(app)["warm"] == 5 + 2 * 7 + 12
    with app.app_context():
        from addons.sales.models import Activity

        db.session.delete(db.session.get(Activity, call_id))
        db.session.commit()
    assert scores(app)["warm"] == 5 + 7 + 12


def test_rule_changes_rescore_every_lead_and_only_managers_change_rules(world):
    app, _, ids = world
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post("/scoringruleview/add", data={
        "name": "fairs", "kind": "field", "field": "source", "value": "fair", "points": "40",
        "activity_kind": "", "active": "y", "csrf_token": token})
    assert resp.status_code in (302, 403)
    assert client.get("/scoringruleview/add").status_code in (302, 403)
    with app.app_context():
        from addons.sales.models import ScoringRule

        assert db.session.scalars(select(ScoringRule).where(ScoringRule.name == "fairs")).all() == []
    assert scores(app)["warm"] == 5

    client = app.test_client()
    token = login(client, "mgr")
    refused = client.post("/scoringruleview/add", follow_redirects=True, data={
        "name": "no value", "kind": "field", "field": "source", "value": "", "points": "40",
        "activity_kind": "", "active": "y", "csrf_token": token})
    assert "value: required for a rule on source" in refused.get_data(as_text=True)
    resp = client.post("/scoringruleview/add", data={
        "name": "fairs", "kind": "field", "field": "source", "value": "fair", "points": "40",
        "activity_kind": "", "active": "y", "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        from addons.sales.models import ScoringRule

        names = set(db.session.scalars(select(ScoringRule.name)))
    assert "fairs" in names and "no value" not in names
    assert scores(app)["warm"] == 45  # rescored at once, no lead touched
    with app.app_context():
        from addons.sales.models import ScoringRule

        web = db.session.scalars(select(ScoringRule).where(ScoringRule.name == "web leads")).one()
        web_id = web.id
    resp = client.post(f"/scoringruleview/edit/{web_id}", data={
        "name": "web leads", "kind": "field", "field": "source", "value": "web", "points": "20",
        "activity_kind": "",
        "csrf_token": token})  # "active" unticked: the rule is switched off
    assert resp.status_code == 302
    assert scores(app)["other"] == 0  # another team's lead too: the score is global


def test_score_filters_and_sorts_on_the_list_and_rest(world):
    app, _, ids = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'mgr')}"}
    q = "(filters:!((col:score,opr:gt,value:49)),order_column:score,order_direction:desc)"
    body = client.get(f"/api/v1/lead/?q={q}", headers=headers).get_json()
    assert [r["name"] for r in body["result"]] == ["hot"]
    q = "(filters:!((col:score,opr:gt,value:0)),order_column:score,order_direction:desc)"
    body = client.get(f"/api/v1/lead/?q={q}", headers=headers).get_json()
    assert [(r["name"], r["score"]) for r in body["result"]] == [("hot", 95), ("warm", 5)]
    login(client, "mgr")
    listed = client.get("/leadview/list/?_flt_1_score=49").get_data(as_text=True)
    names = set(re.findall(r'<a href="/leadview/show/\d+"[^>]*>\s*(\w+)\s*<', listed)) or \
        {n for n in ("hot", "warm", "cold") if re.search(rf">\s*{n}\s*<", listed)}
    assert names == {"hot"}
    ordered = client.get("/leadview/list/?_oc_LeadView=score&_od_LeadView=asc").get_data(
        as_text=True)
    positions = [ordered.find(f">{n}<") for n in ("cold", "warm", "hot")]
    assert -1 not in positions and positions == sorted(positions)


def test_the_rule_form_offers_activity_kinds_by_name(app, client_as):
    manager = client_as("Sales Manager")
    page = manager.get("/scoringruleview/add").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="activity_kind".*?</select>', page, re.S)
    assert select_html, "no activity kind on the rule form"
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select_html.group(0))
    assert {"Call", "Meeting"} <= set(options)
    assert "Points per field value" not in options  # the rule's own kinds are another field
