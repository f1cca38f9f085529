"""Automatic lead assignment: rules matched by source, region, tag and score;
weighted round-robin (1:2 over 30 leads gives 10:20); capacity; no capacity
leaves the lead unassigned and says why; the on-demand button (POST, CSRF)
and `crossdock sales assign`; audited `assign` events; and fairness under
concurrency: threads creating leads at once in their own sessions, every
lead assigned once, counts exactly by weight, the pointer surviving a restart.
"""
from __future__ import annotations

import threading
import traceback
from collections import Counter

import pytest
from sqlalchemy import select

from core.db import db
from core.security.actor import SYSTEM, acting_as
from tests.helpers import add_user, csrf_token, install, login, run_cli

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {name: add_user(app, name, ["Salesperson"], "A") for name in ("a", "b", "c", "d")}
    users["mgr"] = add_user(app, "mgr", ["Sales Manager"], "A")
    users["s9"] = add_user(app, "s9", ["Salesperson"])
    with app.app_context():
        from addons.contacts.models import Tag

        vip = Tag(name="VIP")
        db.session.add(vip)
        db.session.commit()
        users["vip_tag"] = vip.id
    return app, users


def _rule(app, name, members, sequence=10, **conditions):
    """members: [(user_id, weight, capacity)]"""
    with app.app_context():
        from addons.sales.models import AssignmentMember, AssignmentRule

        rule = AssignmentRule(name=name, sequence=sequence, **conditions)
        rule.members = [AssignmentMember(user_id=u, weight=w, capacity=c)
                        for u, w, c in members]
        db.session.add(rule)
        db.session.commit()
        return rule.id


def _create_leads(app, n, prefix="Lead", **fields):
    """Created as the system would (an import, the API as admin): no owner."""
    with app.app_context(), acting_as(SYSTEM):
        from addons.contacts.models import Tag
        from addons.sales.models import Lead

        tag_id = fields.pop("tag_id", None)
        ids = []
        for i in range(n):
            lead = Lead(name=f"{prefix} {i}", **fields)
            if tag_id:
                lead.tags = [db.session.get(Tag, tag_id)]
            db.session.add(lead)
            db.session.flush()
            ids.append(lead.id)
            # read nothing after the commit: on SQLite (WAL) a transaction that
            # starts with a read cannot write once another thread has written
            db.session.commit()
        return ids


def _owners(app, ids=None) -> Counter:
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        stmt = select(Lead.owner_id)
        if ids is not None:
            stmt = stmt.where(Lead.id.in_(ids))
        return Counter(db.session.scalars(stmt))


def _assign_events(app) -> list[dict]:
    with app.app_context():
        from core.security.audit import AuditLog

        return [e.changes for e in db.session.scalars(
            select(AuditLog).where(AuditLog.action == "assign").order_by(AuditLog.id))]


def test_weights_1_to_2_over_30_leads_give_10_to_20(world):
    app, users = world
    rule = _rule(app, "Web leads", [(users["a"], 1, None), (users["b"], 2, None)],
                 source="web")
    ids = _create_leads(app, 30, source="web")
    assert _owners(app, ids) == {users["a"]: 10, users["b"]: 20}
    events = _assign_events(app)
    assert len(events) == 30
    assert {(e["rule_id"], e["rule"]) for e in events} == {(rule, "Web leads")}
    assert Counter(e["user_id"] for e in events) == {users["a"]: 10, users["b"]: 20}
    # and the loaded object knew its owner at once (the creating session saw it)
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        lead = Lead(name="One more", source="web")
        db.session.add(lead)
        db.session.commit()
        assert lead.owner_id == users["a"] and lead.owner.username == "a"


def test_rules_match_by_source_region_tag_and_score(world):
    app, users = world
    _rule(app, "Fairs", [(users["a"], 1, None)], sequence=1, source="fair")
    _rule(app, "East China", [(users["b"], 1, None)], sequence=2, region="华东")
    _rule(app, "VIP", [(users["c"], 1, None)], sequence=3, tag_id=users["vip_tag"])
    _rule(app, "Hot", [(users["d"], 1, None)], sequence=4, min_score=50)
    fair = _create_leads(app, 1, "fair", source="FAIR")  # case does not matter
    east = _create_leads(app, 1, "east", region="华东", source="web")
    vip = _create_leads(app, 1, "vip", tag_id=users["vip_tag"])
    with app.app_context():
        from addons.sales.models import ScoringRule

        # the score comes from the scoring rules (computed before the lead is stored)
        db.session.add(ScoringRule(name="Has e-mail", kind="field", field="has_email",
                                   points=60))
        db.session.commit()
    hot = _create_leads(app, 1, "hot", email="buyer@example.com")
    cold = _create_leads(app, 1, "cold", region="华南")
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        assert db.session.get(Lead, hot[0]).score == 60
    assert [_owners(app, i) for i in (fair, east, vip, hot, cold)] == [
        {users["a"]: 1}, {users["b"]: 1}, {users["c"]: 1}, {users["d"]: 1}, {None: 1}]


def test_capacity_is_respected_and_no_capacity_leaves_leads_unassigned(world):
    app, users = world
    # a already owns one open lead: with capacity 3 a takes two more, then b the rest
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        db.session.add(Lead(name="a's own", owner_id=users["a"]))
        db.session.commit()
    _rule(app, "Pool", [(users["a"], 1, 3), (users["b"], 1, 4)], source="web")
    ids = _create_leads(app, 8, source="web")
    assert _owners(app, ids) == {users["a"]: 2, users["b"]: 4, None: 2}

    client = app.test_client()
    login(client, "mgr")
    page = client.get("/assignmentruleview/list/").get_data(as_text=True)
    assert "Assign unassigned leads now" in page
    resp = client.post("/assignmentruleview/assign_now", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert "0 lead(s) assigned, 2 left unassigned" in text
    assert "every member of rule &#39;Pool&#39; is at capacity" in text
    assert _owners(app, ids)[None] == 2
    # a closed lead frees a's capacity: the next run assigns one of them
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        db.session.get(Lead, ids[0]).status = "won"
        db.session.commit()
    resp = client.post("/assignmentruleview/assign_now", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)
    assert "1 lead(s) assigned, 1 left unassigned" in resp.get_data(as_text=True)


def test_on_demand_button_needs_post_csrf_and_permission(world):
    app, users = world
    ids = _create_leads(app, 3, source="web")  # no rule yet: unassigned
    assert _owners(app, ids) == {None: 3}
    _rule(app, "Web", [(users["a"], 1, None), (users["b"], 1, None)], source="web")
    seller = app.test_client()
    login(seller, "a")
    assert seller.get("/assignmentruleview/assign_now").status_code in (404, 405)
    token = csrf_token(seller.get("/sales/activities/my").get_data(as_text=True))
    resp = seller.post("/assignmentruleview/assign_now", data={"csrf_token": token})
    assert resp.status_code in (302, 403) and _owners(app, ids) == {None: 3}
    client = app.test_client()
    login(client, "mgr")
    assert client.post("/assignmentruleview/assign_now").status_code in (400, 403)
    assert _owners(app, ids) == {None: 3}
    page = client.get("/assignmentruleview/list/").get_data(as_text=True)
    resp = client.post("/assignmentruleview/assign_now", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)
    assert "3 lead(s) assigned, 0 left unassigned" in resp.get_data(as_text=True)
    assert _owners(app, ids) == {users["a"]: 2, users["b"]: 1}


def test_rule_screen_with_members_inline(world):
    app, users = world
    rule = _rule(app, "Web", [(users["a"], 2, 5)], source="web")
    client = app.test_client()
    login(client, "mgr")
    page = client.get(f"/assignmentruleview/show/{rule}").get_data(as_text=True)
    assert "AssignmentMemberView" in page and "Next slot" in page
    token = csrf_token(client.get("/assignmentmemberview/add").get_data(as_text=True))
    resp = client.post("/assignmentmemberview/add", data={
        "csrf_token": token, "rule": str(rule), "user": str(users["b"]), "weight": "0",
        "active": "y"})
    assert resp.status_code == 200  # the form again: weight must be 1 or more
    resp = client.post("/assignmentmemberview/add", data={
        "csrf_token": token, "rule": str(rule), "user": str(users["b"]), "weight": "3",
        "capacity": "", "active": "y"})
    assert resp.status_code == 302
    with app.app_context():
        from addons.sales.models import AssignmentMember

        assert sorted((m.user_id, m.weight, m.capacity) for m in db.session.scalars(
            select(AssignmentMember).where(AssignmentMember.rule_id == rule))) == sorted(
            [(users["a"], 2, 5), (users["b"], 3, None)])


def test_cli_assigns_and_reports(world, tmp_path, database_url):
    app, users = world
    ids = _create_leads(app, 4, source="web")
    _rule(app, "Web", [(users["a"], 1, 1)], source="web")
    out = run_cli(tmp_path, database_url, "sales", "assign")
    assert out.returncode == 0, out.stderr
    assert "1 lead(s) assigned, 3 left unassigned" in out.stdout
    assert "at capacity" in out.stdout
    assert _owners(app, ids) == {users["a"]: 1, None: 3}


def test_concurrent_creation_is_fair_and_the_pointer_survives_a_restart(world, make_app):
    app, users = world
    weights = {users["a"]: 1, users["b"]: 2, users["c"]: 3}
    rule = _rule(app, "Everyone", [(u, w, None) for u, w in weights.items()])
    threads_n, per_thread = 6, 10  # 60 leads: 10 full cycles of 6 slots
    errors, created = [], []
    start = threading.Barrier(threads_n)

    def worker(n):
        try:
            start.wait()
            created.extend(_create_leads(app, per_thread, f"T{n}"))
        except Exception:  # pragma: no cover - reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(created) == 60
    assert _owners(app, created) == {u: 10 * w for u, w in weights.items()}
    events = _assign_events(app)
    assert len(events) == 60 and len({e for e in created}) == 60
    with app.app_context():
        from addons.sales.models import AssignmentRule

        assert db.session.get(AssignmentRule, rule).pointer == 0  # full cycles
    # a new process (app) continues the same cycle: 6 more leads, one more cycle
    other = make_app()
    more = _create_leads(other, 6, "After restart")
    assert _owners(other, more) == {u: w for u, w in weights.items()}


def test_concurrent_on_demand_runs_assign_each_lead_once(world):
    app, users = world
    ids = _create_leads(app, 24, source="web")  # no rule yet
    _rule(app, "Web", [(users["a"], 1, None), (users["b"], 3, None)], source="web")
    errors = []
    start = threading.Barrier(4)

    def run():
        try:
            start.wait()
            with app.app_context(), acting_as(SYSTEM):
                from addons.sales.services.leads.lead_assignment import assign_unassigned

                assign_unassigned(db.session)
        except Exception:  # pragma: no cover - reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert _owners(app, ids) == {users["a"]: 6, users["b"]: 18}
    assert len(_assign_events(app)) == 24  # never twice


def test_a_lead_handed_to_another_team_starts_in_that_teams_pipeline(world):
    app, users = world
    east = add_user(app, "east1", ["Salesperson"], "East")
    with app.app_context():
        from addons.sales.models import Stage
        from core.security.teams import Team

        team = db.session.query(Team).filter_by(name="East").one()
        db.session.add_all([Stage(name="初步沟通", team_id=team.id, sequence=1, probability=15),
                            Stage(name="赢单", team_id=team.id, sequence=9, probability=100,
                                  is_won=True)])
        db.session.commit()
        team_id = team.id
    _rule(app, "East China", [(east, 1, None)], region="华东", team_id=team_id)
    lead_id, = _create_leads(app, 1, "east", region="华东")
    with app.app_context(), acting_as(SYSTEM):
        from addons.sales.models import Lead

        lead = db.session.get(Lead, lead_id)
        assert (lead.owner_id, lead.team_id) == (east, team_id)
        assert (lead.stage.name, lead.probability) == ("初步沟通", 15)
