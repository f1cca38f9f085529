"""The desk as its users reach it: REST /api/v1/ticket/ and its messages and
stage under the record rules (an agent of another team gets 404 and an empty
list), the ticket page's reply form (POST, CSRF), the customer's tickets on
the company page, the SLA report for the team's manager only, and the rating
link: no login, GET changes nothing, POST records once, a forged token 404;
the dashboard (ratings per team and agent, backlog by age) counting an
agent's own teams only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import csrf_token

pytestmark = pytest.mark.addons("service_desk")


@pytest.fixture
def world(app, client_as):
    agent = client_as("Support Agent", team="Support", username="ann")
    other = client_as("Support Agent", team="Billing", username="olga")
    manager = client_as("Support Agent", username="mia")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.service_desk.models import DeskTeam
        from core.security.teams import Team

        team = db.session.scalar(select(Team).where(Team.name == "Support"))
        company = Company(name="上海精密仪器有限公司")
        db.session.add_all([DeskTeam(team_id=team.id, manager_id=manager.user_id), company])
        db.session.commit()
        ids = {"team": team.id, "company": company.id}
    return app, agent, other, manager, ids


def _stage_id(app, kind):
    with app.app_context():
        from addons.service_desk.models import TicketStage

        return db.session.scalar(select(TicketStage.id).where(TicketStage.kind == kind,
                                                              TicketStage.team_id.is_(None)))


def test_rest_tickets_and_messages_follow_the_team_rule(world):
    app, agent, other, _manager, ids = world
    created = agent.post("/api/v1/ticket/", headers=agent.api_headers, json={
        "subject": "VPN 无法连接", "team": ids["team"], "priority": 2,
        "company": ids["company"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    pk = created.get_json()["id"]
    shown = agent.get(f"/api/v1/ticket/{pk}", headers=agent.api_headers).get_json()["result"]
    assert (shown["number"], shown["channel"], shown["stage"]["kind"]) == ("T-000001", "api", "new")
    assert shown["owner"]["id"] == agent.user_id  # the team's only member
    with app.app_context(), acting_as(SYSTEM):  # on the company's timeline, linking to its page
        from addons.contacts.models import TimelineEntry

        entry = db.session.scalar(select(TimelineEntry).where(
            TimelineEntry.company_id == ids["company"]))
        assert (entry.subject, entry.url) == ("T-000001 VPN 无法连接", f"/tickets/show/{pk}")

    assert other.get(f"/api/v1/ticket/{pk}", headers=other.api_headers).status_code == 404
    assert other.get("/api/v1/ticket/", headers=other.api_headers).get_json()["count"] == 0
    assert other.post(f"/api/v1/ticket/{pk}/messages", headers=other.api_headers,
                      json={"body": "hi"}).status_code == 404

    reply = agent.post(f"/api/v1/ticket/{pk}/messages", headers=agent.api_headers,
                       json={"body": "请更新客户端。"})
    assert reply.status_code == 201 and reply.get_json()["result"]["kind"] == "public"
    note = agent.post(f"/api/v1/ticket/{pk}/messages", headers=agent.api_headers,
                      json={"body": "known issue", "public": False})
    assert note.get_json()["result"]["kind"] == "note"
    assert agent.post(f"/api/v1/ticket/{pk}/messages", headers=agent.api_headers,
                      json={"body": "  "}).status_code == 422
    thread = agent.get(f"/api/v1/ticket/{pk}/messages", headers=agent.api_headers).get_json()
    assert [(m["kind"], m["body"]) for m in thread["result"]] == [
        ("public", "请更新客户端。"), ("note", "known issue")]
    moved = agent.post(f"/api/v1/ticket/{pk}/stage", headers=agent.api_headers,
                       json={"stage_id": _stage_id(app, "solved")})
    assert moved.status_code == 200 and moved.get_json()["result"]["stage"]["kind"] == "solved"
    assert moved.get_json()["result"]["solved_at"] is not None
    # the stage is moved through /stage only
    assert agent.put(f"/api/v1/ticket/{pk}", headers=agent.api_headers,
                     json={"stage": _stage_id(app, "new")}).status_code in (400, 422)


def test_ticket_page_reply_company_panel_and_report(world):
    app, agent, other, manager, ids = world
    page = agent.get("/tickets/add").get_data(as_text=True)
    resp = agent.post("/tickets/add", data={
        "subject": "Printer", "channel": "phone", "priority": "1", "ticket_type": "incident",
        "team": ids["team"], "company": ids["company"], "csrf_token": csrf_token(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        from addons.service_desk.models import Ticket

        ticket = db.session.scalar(select(Ticket))
        pk, number = ticket.id, ticket.number
        assert (number, ticket.owner_id, ticket.stage.kind) == ("T-000001", agent.user_id, "new")
    with app.app_context():
        from addons.service_desk.models import CannedReply, KbArticle

        db.session.add_all([CannedReply(name="重启", language="zh", body="请重启设备后再试。"),
                            KbArticle(title="VPN setup", language="en", body="Step 1",
                                      published=True),
                            KbArticle(title="Draft", language="en", body="x", published=False)])
        db.session.commit()
    show = agent.get(f"/tickets/show/{pk}").get_data(as_text=True)
    assert 'id="ticket-thread"' in show and 'id="ticket-reply"' in show
    # canned replies and published articles are offered for insertion into the reply
    assert "请重启设备后再试。" in show and "VPN setup" in show and "Draft" not in show
    assert agent.post(f"/tickets/reply/{pk}", data={
        "body": "On our way", "kind": "public", "csrf_token": agent.csrf_token}).status_code == 302
    assert agent.post(f"/tickets/reply/{pk}", data={"body": "no token"}).status_code == 400
    assert "On our way" in agent.get(f"/tickets/show/{pk}").get_data(as_text=True)
    assert other.get(f"/tickets/show/{pk}").status_code == 404
    home = agent.get("/").get_data(as_text=True)
    assert f"{number} Printer" in home  # the start page's "My tickets"
    assert number not in other.get("/").get_data(as_text=True)

    company = agent.get(f"/companyview/show/{ids['company']}").get_data(as_text=True)
    assert 'id="customer-tickets"' in company and number in company

    report = manager.get("/sla_report/").get_data(as_text=True)
    assert 'id="sla-report"' in report and 'class="sla-line"' in report
    assert 'id="sla-not-manager"' in agent.get("/sla_report/").get_data(as_text=True)


def test_the_rating_link_works_once_without_login(world):
    app, agent, _other, _manager, ids = world
    with app.app_context(), acting_as(SYSTEM):
        from addons.service_desk.models import TicketStage
        from addons.service_desk.services import tickets

        ticket = tickets.open_ticket(db.session, subject="Slow", channel="web",
                                     team_id=ids["team"])
        tickets.reply(db.session, ticket, agent.user_id, "Fixed")
        tickets.move(db.session, ticket, db.session.get(TicketStage, _stage_id(app, "solved")))
        db.session.commit()
        with app.test_request_context():
            from addons.service_desk.services.rating import rating_link

            path = rating_link(ticket).split("://", 1)[1].split("/", 1)[1]
    anonymous = app.test_client()
    page = anonymous.get("/" + path)
    assert page.status_code == 200 and 'data-state="form"' in page.get_data(as_text=True)
    with app.app_context():
        from addons.service_desk.models import Rating

        assert db.session.scalar(select(Rating.id)) is None  # GET wrote nothing
    token = csrf_token(page.get_data(as_text=True))
    done = anonymous.post("/" + path, data={"score": "4", "comment": "快", "csrf_token": token})
    assert 'data-state="thanks"' in done.get_data(as_text=True)
    again = anonymous.post("/" + path, data={"score": "1", "csrf_token": token})
    assert 'data-state="rated"' in again.get_data(as_text=True)
    with app.app_context():
        [rating] = db.session.scalars(select(Rating)).all()
        assert (rating.score, rating.comment, rating.agent_id) == (4, "快", agent.user_id)
    assert anonymous.get("/" + path[:-3] + "xyz").status_code == 404


def test_every_desk_screen_opens_for_an_admin(world, client_as):
    app, *_ = world
    admin = client_as("Admin", username="root")
    for route in ("tickets", "escalationview", "ratingview", "cannedreplyview", "kbarticleview",
                  "deskteamview", "deskagentview", "ticketstageview", "slapolicyview",
                  "workcalendarview", "desktagview"):
        assert admin.get(f"/{route}/list/").status_code == 200, route
        if route not in ("escalationview", "ratingview"):
            assert admin.get(f"/{route}/add").status_code == 200, route
    stages = admin.get("/ticketstageview/list/").get_data(as_text=True)
    assert "Waiting for customer" in stages
    assert admin.get("/sla_report/?by=agent&days=7").status_code == 200
    assert admin.get("/desk/dashboard/?days=7").status_code == 200
    page = admin.get("/workcalendarview/add").get_data(as_text=True)
    resp = admin.post("/workcalendarview/add", data={
        "name": "Berlin", "time_zone": "Europe/Berlin", "day_start": "08:00",
        "day_end": "16:30", "weekdays": "12345", "holidays": "", "csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    with app.app_context():
        from addons.service_desk.models import WorkCalendar

        berlin = db.session.scalar(select(WorkCalendar).where(WorkCalendar.name == "Berlin"))
        assert (berlin.time_zone, berlin.holidays) == ("Europe/Berlin", None)


def _dashboard(client, query: str = "") -> dict:
    import json
    import re

    page = client.get(f"/desk/dashboard/{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    found = re.search(r'<script type="application/json" id="desk-dashboard-data">(.*?)</script>',
                      page.get_data(as_text=True), re.S)
    return json.loads(found.group(1))


def test_the_dashboard_shows_an_agent_their_teams_ratings_and_backlog_only(world):
    from datetime import datetime, timedelta

    app, ann, olga, _manager, ids = world
    now = datetime.utcnow()
    with app.app_context(), acting_as(SYSTEM):
        from addons.service_desk.models import Rating
        from addons.service_desk.services.tickets import open_ticket
        from core.security.teams import Team

        billing = db.session.scalar(select(Team.id).where(Team.name == "Billing"))

        def ticket(team, owner, age_days, solved=False, breached=False, score=None,
                   rated_days_ago=1):
            row = open_ticket(db.session, subject="t", channel="phone", team_id=team,
                              owner_id=owner, created_at=now - timedelta(days=age_days))
            row.solved_at = now - timedelta(days=age_days / 2) if solved else None
            row.resolution_breached = breached
            if score is not None:
                db.session.add(Rating(ticket_id=row.id, score=score, agent_id=owner,
                                      team_id=team,
                                      created_at=now - timedelta(days=rated_days_ago)))

        ticket(ids["team"], ann.user_id, 3, solved=True, score=5)
        ticket(ids["team"], ann.user_id, 4, solved=True, score=3)
        ticket(ids["team"], ann.user_id, 50, solved=True, score=1, rated_days_ago=40)
        ticket(ids["team"], ann.user_id, 2)  # open, 1-3 days old
        ticket(billing, olga.user_id, 5, solved=True, score=1)
        ticket(billing, olga.user_id, 10, breached=True)  # open, over a week, past a target
        db.session.commit()

    ages = ["under_1d", "1_3d", "3_7d", "over_7d"]
    assert _dashboard(ann) == {
        "ratings_by_team": [{"key": ids["team"], "name": "Support", "ratings": 2,
                             "average": 4.0}],
        "ratings_by_agent": [{"key": ann.user_id, "name": "ann", "ratings": 2, "average": 4.0}],
        "ages": ages,
        "backlog": [{"team_id": ids["team"], "name": "Support", "open": 1, "breached": 0,
                     "ages": {"under_1d": 0, "1_3d": 1, "3_7d": 0, "over_7d": 0}}]}
    assert _dashboard(olga) == {
        "ratings_by_team": [{"key": billing, "name": "Billing", "ratings": 1, "average": 1.0}],
        "ratings_by_agent": [{"key": olga.user_id, "name": "olga", "ratings": 1,
                              "average": 1.0}],
        "ages": ages,
        "backlog": [{"team_id": billing, "name": "Billing", "open": 1, "breached": 1,
                     "ages": {"under_1d": 0, "1_3d": 0, "3_7d": 0, "over_7d": 1}}]}
    # 90 days: the rating of 40 days ago counts too
    assert _dashboard(ann, "?days=90")["ratings_by_team"] == [
        {"key": ids["team"], "name": "Support", "ratings": 3, "average": 3.0}]
