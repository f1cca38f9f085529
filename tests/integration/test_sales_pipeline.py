"""Leads and opportunities: created on the screen and over REST in the first
stage of the team's pipeline, moved between stages, won, lost (reason
required) and restored through explicit actions, audited, and kept within
the record rules. s1, s2, mgr are in team A (default pipeline), s3 in team B,
which has a pipeline of its own."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "ro": (["Read-only"], None)}
OWNERS = ("s1", "s2", "s3", "mgr")


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from addons.sales.models import Lead, Stage
        from core.security.teams import Team

        team_b = db.session.scalars(select(Team).where(Team.name == "B")).one()
        db.session.add_all([Stage(name="B-first", team_id=team_b.id, sequence=1, probability=5),
                            Stage(name="B-demo", team_id=team_b.id, sequence=2, probability=40),
                            Stage(name="B-won", team_id=team_b.id, sequence=3, probability=100,
                                  is_won=True)])
        db.session.flush()
        ids = {}
        for owner in OWNERS:
            lead = Lead(name=f"deal of {owner}", type="opportunity", owner_id=users[owner])
            db.session.add(lead)
            db.session.flush()
            ids[owner] = lead.id
        db.session.commit()
    return app, users, ids


def bearer(client, user):
    return {"Authorization": f"Bearer {api_token(client, user)}"}


def lead_row(app, pk):
    with app.app_context():
        from addons.sales.models import Lead

        lead = db.session.get(Lead, pk)
        return {"status": lead.status, "stage": lead.stage.name if lead.stage else None,
                "probability": lead.probability, "closed_at": lead.closed_at,
                "lost_reason": lead.lost_reason.name if lead.lost_reason else None,
                "owner_id": lead.owner_id, "team": lead.team.name if lead.team else None,
                "type": lead.type}


def events(app, pk):
    with app.app_context():
        from core.security.audit import AuditLog

        return [(e.action, e.actor, e.changes) for e in db.session.scalars(
            select(AuditLog).where(AuditLog.model == "Lead", AuditLog.record_id == str(pk))
            .order_by(AuditLog.id))]


def stage_id(app, name):
    with app.app_context():
        from addons.sales.models import Stage

        return db.session.scalars(select(Stage.id).where(Stage.name == name)).one()


def reason_id(app, name="Too expensive"):
    with app.app_context():
        from addons.sales.models import LostReason

        return db.session.scalars(select(LostReason.id).where(LostReason.name == name)).one()


def test_new_leads_start_in_the_first_stage_of_their_teams_pipeline(world):
    app, users, ids = world
    assert lead_row(app, ids["s1"])["stage"] == "New"
    s3_lead = lead_row(app, ids["s3"])  # team B has a pipeline of its own
    assert (s3_lead["stage"], s3_lead["team"], s3_lead["probability"]) == ("B-first", "B", 5)
    client = app.test_client()
    token = login(client, "s1")
    page = client.get("/leadview/add").get_data(as_text=True)
    for hidden in ('name="status"', 'name="stage"', 'name="score"', 'name="lost_reason"'):
        assert hidden not in page  # state changes are actions, not form fields
    resp = client.post("/leadview/add", data={"name": "Website enquiry", "email": "a@b.cn",
                                              "priority": "1", "expected_revenue": "0.00",
                                              "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        from addons.sales.models import Lead

        lead = db.session.scalars(select(Lead).where(Lead.name == "Website enquiry")).one()
        pk = lead.id
    row = lead_row(app, pk)
    assert (row["type"], row["stage"], row["probability"], row["status"]) == (
        "lead", "New", 10, "open")
    assert row["owner_id"] == users["s1"] and row["team"] == "A"
    listed = client.get("/leadview/list/").get_data(as_text=True)
    assert "Website enquiry" in listed and "deal of s1" not in listed  # leads, not opportunities
    assert "deal of s1" in client.get("/opportunityview/list/").get_data(as_text=True)

    client = app.test_client()  # REST alone, without s1's browser session
    headers = bearer(client, "s3")
    resp = client.post("/api/v1/lead/", headers=headers,
                       json={"type": "opportunity", "name": "Fair contact",
                             "expected_revenue": "1200.50"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    got = client.get(f"/api/v1/lead/{resp.get_json()['id']}", headers=headers).get_json()
    assert got["result"]["stage"]["name"] == "B-first"
    assert got["result"]["status"] == "open" and got["result"]["type"] == "opportunity"
    # state columns are not writable, whatever the body says
    for body in ({"name": "x", "status": "won"}, {"name": "x", "stage": 1},
                 {"name": "x", "score": 99}, {"name": "x", "type": "customer"}):
        assert client.post("/api/v1/lead/", headers=headers, json=body).status_code == 422, body
    assert client.put(f"/api/v1/lead/{ids['s3']}", headers=headers,
                      json={"status": "won"}).status_code == 422
    assert lead_row(app, ids["s3"])["status"] == "open"


def test_stage_moves_on_screen_and_rest_and_another_teams_stage_is_refused(world):
    app, _, ids = world
    client = app.test_client()
    token = login(client, "s1")
    pk = ids["s1"]
    resp = client.post(f"/opportunityview/move_stage/{pk}",
                       data={"stage_id": stage_id(app, "Qualified"), "csrf_token": token})
    assert resp.status_code == 302
    assert (lead_row(app, pk)["stage"], lead_row(app, pk)["probability"]) == ("Qualified", 30)
    assert client.post(f"/opportunityview/move_stage/{pk}",
                       data={"stage_id": stage_id(app, "Proposition")}).status_code == 400  # no CSRF

    before = lead_row(app, pk)
    resp = client.post(f"/opportunityview/move_stage/{pk}", follow_redirects=True,
                       data={"stage_id": stage_id(app, "B-demo"), "csrf_token": token})
    assert "is not in the pipeline" in resp.get_data(as_text=True)
    assert lead_row(app, pk) == before

    headers = bearer(client, "s1")
    resp = client.post(f"/api/v1/lead/{pk}/move_stage", headers=headers,
                       json={"stage_id": stage_id(app, "B-demo")})
    assert resp.status_code == 409 and "not in the pipeline" in resp.get_json()["message"]
    assert lead_row(app, pk) == before
    assert client.post(f"/api/v1/lead/{pk}/move_stage", headers=headers,
                       json={}).status_code == 400
    assert client.post(f"/api/v1/lead/{pk}/move_stage", headers=headers,
                       json={"stage_id": 999999}).status_code == 400
    resp = client.post(f"/api/v1/lead/{pk}/move_stage", headers=headers,
                       json={"stage_id": stage_id(app, "Negotiation")})
    assert resp.status_code == 200 and resp.get_json()["result"]["stage"]["name"] == "Negotiation"
    assert resp.get_json()["result"]["probability"] == 80
    moves = [c for a, _, c in events(app, pk) if a == "stage_move"]
    assert moves == [{"from": "New", "to": "Qualified"}, {"from": "Qualified", "to": "Negotiation"}]


def test_won_lost_restore_with_required_reason_and_audit(world):
    app, _, ids = world
    client = app.test_client()
    token = login(client, "s1")
    pk = ids["s1"]
    before = lead_row(app, pk)
    resp = client.post(f"/opportunityview/mark_lost/{pk}", follow_redirects=True,
                       data={"lost_reason_id": "", "note": "meh", "csrf_token": token})
    assert "a lost reason is required" in resp.get_data(as_text=True)
    assert lead_row(app, pk) == before
    headers = bearer(client, "s1")
    resp = client.post(f"/api/v1/lead/{pk}/mark_lost", headers=headers, json={"note": "x"})
    assert resp.status_code == 400 and "lost_reason_id is required" in resp.get_json()["message"]
    assert lead_row(app, pk) == before

    resp = client.post(f"/opportunityview/mark_lost/{pk}",
                       data={"lost_reason_id": reason_id(app), "note": "budget cut",
                             "csrf_token": token})
    assert resp.status_code == 302
    row = lead_row(app, pk)
    assert (row["status"], row["lost_reason"], row["probability"]) == ("lost", "Too expensive", 0)
    assert row["closed_at"] is not None
    show = client.get(f"/opportunityview/show/{pk}").get_data(as_text=True)
    assert "Restore" in show and 'action="/opportunityview/mark_won/' not in show
    resp = client.post(f"/api/v1/lead/{pk}/mark_won", headers=headers)
    assert resp.status_code == 409 and "already lost" in resp.get_json()["message"]

    resp = client.post(f"/api/v1/lead/{pk}/restore", headers=headers)
    assert resp.status_code == 200
    row = lead_row(app, pk)
    assert (row["status"], row["stage"], row["closed_at"], row["lost_reason"]) == (
        "open", "New", None, None)
    assert client.post(f"/api/v1/lead/{pk}/restore", headers=headers).status_code == 409

    resp = client.post(f"/opportunityview/mark_won/{pk}", data={"csrf_token": token})
    assert resp.status_code == 302
    row = lead_row(app, pk)
    assert (row["status"], row["stage"], row["probability"]) == ("won", "Won", 100)
    rest = app.test_client()
    resp = rest.post(f"/api/v1/lead/{ids['s3']}/mark_won", headers=bearer(rest, "s3"))
    assert resp.get_json()["result"]["stage"]["name"] == "B-won"  # the team's own won stage
    resp = client.post(f"/api/v1/lead/{pk}/move_stage", headers=headers,
                       json={"stage_id": stage_id(app, "Qualified")})
    assert resp.status_code == 409 and "restore it" in resp.get_json()["message"]

    actions = [(a, actor) for a, actor, _ in events(app, pk) if a in ("won", "lost", "restore")]
    assert actions == [("lost", "s1"), ("restore", "s1"), ("won", "s1")]
    lost = next(c for a, _, c in events(app, pk) if a == "lost")
    assert lost == {"reason": "Too expensive", "note": "budget cut"}


VISIBLE = {"s1": {"s1"}, "s3": {"s3"}, "mgr": {"s1", "s2", "mgr"}, "ro": set(OWNERS)}


def test_record_rules_on_lists_show_rest_and_actions(world):
    app, _, ids = world
    for user, visible in VISIBLE.items():
        client = app.test_client()
        token = login(client, user)
        listed = client.get("/opportunityview/list/").get_data(as_text=True)
        assert set(re.findall(r">\s*deal of (\w+)\s*<", listed)) == visible, user
        headers = bearer(client, user)
        body = client.get("/api/v1/lead/", headers=headers).get_json()
        assert {r["name"].split(" of ")[1] for r in body["result"]} == visible, user
        for owner, pk in ids.items():
            expected = 200 if owner in visible else 404
            assert client.get(f"/opportunityview/show/{pk}").status_code == expected
            assert client.get(f"/api/v1/lead/{pk}", headers=headers).status_code == expected
            if owner not in visible:
                assert client.post(f"/opportunityview/mark_won/{pk}",
                                   data={"csrf_token": token}).status_code == 404
                assert client.post(f"/api/v1/lead/{pk}/mark_won",
                                   headers=headers).status_code == 404
    client = app.test_client()
    ro = bearer(client, "ro")
    assert client.post(f"/api/v1/lead/{ids['s1']}/mark_won", headers=ro).status_code == 403
    mgr = bearer(client, "mgr")
    assert client.post(f"/api/v1/lead/{ids['s2']}/mark_won", headers=mgr).status_code == 200
    for owner in ("s1", "s3", "mgr"):
        assert lead_row(app, ids[owner])["status"] == "open"
    assert lead_row(app, ids["s2"])["status"] == "won"


def test_rest_filters_by_type_and_openapi_lists_the_actions(world):
    app, _, ids = world
    client = app.test_client()
    headers = bearer(client, "mgr")
    q = "(filters:!((col:type,opr:eq,value:opportunity)))"
    body = client.get(f"/api/v1/lead/?q={q}", headers=headers).get_json()
    assert body["count"] == 3
    q = "(filters:!((col:type,opr:eq,value:lead)))"
    assert client.get(f"/api/v1/lead/?q={q}", headers=headers).get_json()["count"] == 0
    add_user(app, "boss", ["Admin"])
    spec = client.get("/api/v1/_openapi", headers=bearer(client, "boss")).get_json()
    for action in ("move_stage", "mark_won", "mark_lost", "restore"):
        responses = spec["paths"][f"/api/v1/lead/{{pk}}/{action}"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(map(str, responses)), action


def test_a_manager_configures_the_stages_of_own_team_only(world):
    app, _, _ = world
    with app.app_context():
        from core.security.teams import Team

        teams = {t.name: t.id for t in db.session.scalars(select(Team))}
    client = app.test_client()
    token = login(client, "mgr")
    ok = client.post("/stageview/add", data={"name": "A-pilot", "team": teams["A"],
                                             "sequence": "5", "probability": "20", "active": "y",
                                             "csrf_token": token})
    assert ok.status_code == 302
    refused = client.post("/stageview/add", data={"name": "B-pilot", "team": teams["B"],
                                                  "sequence": "5", "probability": "20", "active": "y",
                                                  "csrf_token": token})
    assert refused.status_code == 403
    assert "own sales team" in refused.get_data(as_text=True)
    with app.app_context():
        from addons.sales.models import Stage

        names = set(db.session.scalars(select(Stage.name)))
    assert "A-pilot" in names and "B-pilot" not in names
    # team A now has a pipeline of its own: new leads of A start there
    headers = bearer(app.test_client(), "s1")
    resp = app.test_client().post("/api/v1/lead/", headers=headers, json={"name": "pilot"})
    assert lead_row(app, resp.get_json()["id"])["stage"] == "A-pilot"


def test_customer_pickers_search_by_typing_within_the_record_rules(world):
    app, users, _ = world
    with app.app_context():
        from addons.contacts.models import Company, Person

        mine = Company(name="Picker Trading s1", owner_id=users["s1"])
        theirs = Company(name="Picker Trading s3", owner_id=users["s3"])
        db.session.add_all([mine, theirs, Person(name="Wang Picker", owner_id=users["s1"],
                                                 company=mine)])
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    client = app.test_client()
    token = login(client, "s1")
    page = client.get("/leadview/add").get_data(as_text=True)
    assert "Picker Trading" not in page  # no company is listed up front
    assert "/leadview/company_choices" in page and "/leadview/person_choices" in page
    found = client.get("/leadview/company_choices?q=Picker").get_json()["results"]
    assert found == [{"id": mine_id, "text": "Picker Trading s1"}]
    people = client.get("/opportunityview/person_choices?q=Wang").get_json()["results"]
    assert [p["text"] for p in people] == ["Wang Picker (Picker Trading s1)"]
    resp = client.post("/leadview/add", data={"name": "sneaky", "priority": "0",
                                              "company": str(theirs_id),
                                              "expected_revenue": "0", "csrf_token": token})
    assert "No such company, or you may not see it." in resp.get_data(as_text=True)
    resp = client.post("/leadview/add", data={"name": "linked", "priority": "0",
                                              "company": str(mine_id),
                                              "expected_revenue": "0", "csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        from addons.sales.models import Lead

        names = {lead.name: lead.company_id for lead in db.session.scalars(select(Lead))}
    assert names.get("linked") == mine_id and "sneaky" not in names
