"""Activities: scheduling on a lead or contact, "my activities" overdue first,
done through the POST button or REST (timeline entry, audit), reminders, and
the record rules on every path. s1 and s2 are salespeople of team A, mgr
manages team A, ro reads everything."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from core.db import db
from tests.helpers import add_user, api_token, csrf_token, install, login

pytestmark = pytest.mark.addons("sales")

TODAY = dt.datetime.now(dt.timezone.utc).date()
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s2": add_user(app, "s2", ["Salesperson"], "A"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A"),
             "ro": add_user(app, "ro", ["Read-only"])}
    with app.app_context():
        from addons.contacts.models import Company, Person
        from addons.sales.models import Activity, Lead

        acme = Company(name="Acme", owner_id=users["s1"])
        wang = Person(name="Wang Fang", owner_id=users["s1"], company=acme)
        lead = Lead(name="500 pumps", owner_id=users["s1"], person=wang, company=acme)
        db.session.add_all([acme, wang, lead])
        db.session.flush()
        rows = {
            "later": Activity(kind="todo", summary="Send brochure", due_date=TODAY + 3 * DAY,
                              owner_id=users["s1"], company_id=acme.id),
            "overdue": Activity(kind="call", summary="Call back", due_date=TODAY - 2 * DAY,
                                owner_id=users["s1"], lead_id=lead.id),
            "today": Activity(kind="meeting", summary="Visit plant", due_date=TODAY,
                              owner_id=users["s1"], person_id=wang.id),
            "s2s": Activity(kind="call", summary="Colleague's call", due_date=TODAY - DAY,
                            owner_id=users["s2"], company_id=acme.id),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {"acme": acme.id, "wang": wang.id, "lead": lead.id,
               **{k: a.id for k, a in rows.items()}}
    return app, users, ids


def _activity(app, pk):
    with app.app_context():
        from addons.sales.models import Activity

        a = db.session.get(Activity, pk)
        return None if a is None else (a.done_at, a.done_note)


def _timeline(app, **parent):
    with app.app_context():
        from addons.contacts.models import TimelineEntry

        return [(e.kind, e.subject, e.body, e.source_model) for e in db.session.scalars(
            select(TimelineEntry).filter_by(**parent).order_by(TimelineEntry.id))]


def test_my_activities_overdue_first_then_today_then_upcoming(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get("/sales/activities/my").get_data(as_text=True)
    order = [page.index(s) for s in ("Call back", "Visit plant", "Send brochure")]
    assert order == sorted(order)
    overdue = page[page.index('id="activities-overdue"'):page.index('id="activities-today"')]
    assert "Call back" in overdue and "Visit plant" not in overdue
    assert "Colleague's call" not in page  # s2's, not mine


def test_a_long_backlog_shows_each_sections_first_rows_and_counts_them_all(world):
    """Thousands of open activities do not make a page of thousands of rows:
    each section shows its first rows (the oldest due first) and its full count."""
    from addons.sales.views.activity_my import SECTION_ROWS

    app, users, ids = world
    with app.app_context():
        from addons.sales.models import Activity

        db.session.add_all(Activity(kind="call", summary=f"Backlog {n:03d}", owner_id=users["s1"],
                                    due_date=TODAY - (10 + n) * DAY, company_id=ids["acme"])
                           for n in range(SECTION_ROWS + 20))
        db.session.commit()
    client = app.test_client()
    login(client, "s1")
    page = client.get("/sales/activities/my").get_data(as_text=True)
    overdue = page[page.index('id="activities-overdue"'):page.index('id="activities-today"')]
    total = SECTION_ROWS + 21  # the backlog and "Call back"
    assert f'<span class="badge">{total}</span>' in overdue
    assert overdue.count('class="sales-activity') == SECTION_ROWS
    oldest = f"Backlog {SECTION_ROWS + 19:03d}"
    assert oldest in overdue and "Call back" not in overdue  # the most overdue come first
    assert f"{SECTION_ROWS} of {total} shown" in overdue and "/activityview/list/" in overdue
    assert "Visit plant" in page and "Send brochure" in page  # the other sections as before


def test_done_button_records_note_and_timeline_entry(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get("/sales/activities/my").get_data(as_text=True)
    token = csrf_token(page)
    # no CSRF token: refused, nothing done
    assert client.post(f"/sales/activities/{ids['overdue']}/done",
                       data={"note": "x"}).status_code in (400, 403)
    assert _activity(app, ids["overdue"])[0] is None
    resp = client.post(f"/sales/activities/{ids['overdue']}/done",
                       data={"csrf_token": token, "note": "Wants a quote",
                             "next": "/sales/activities/my"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/sales/activities/my")
    done_at, note = _activity(app, ids["overdue"])
    assert done_at is not None and note == "Wants a quote"
    # the lead's person gets the entry (a lead is not a contact)
    assert _timeline(app, person_id=ids["wang"]) == [
        ("call", "Call back", "Wants a quote", "sales.activity")]
    assert f'data-activity-id="{ids["overdue"]}"' not in client.get(
        "/sales/activities/my").get_data(as_text=True)
    # twice: refused with a message, still one timeline entry
    resp = client.post(f"/sales/activities/{ids['overdue']}/done",
                       data={"csrf_token": token}, follow_redirects=True)
    assert "already done" in resp.get_data(as_text=True)
    assert len(_timeline(app, person_id=ids["wang"])) == 1
    # a to-do on a company lands on the company's timeline with the to-do kind
    client.post(f"/sales/activities/{ids['later']}/done", data={"csrf_token": token})
    assert _timeline(app, company_id=ids["acme"]) == [
        ("todo", "Send brochure", None, "sales.activity")]
    with app.app_context():
        from core.security.audit import AuditLog

        events = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "done", AuditLog.model == "Activity")).all()
        assert {e.record_id for e in events} == {str(ids["overdue"]), str(ids["later"])}


def test_salesperson_cannot_see_or_complete_a_colleagues_activity(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    token = csrf_token(client.get("/sales/activities/my").get_data(as_text=True))
    assert client.post(f"/sales/activities/{ids['s2s']}/done",
                       data={"csrf_token": token}).status_code == 404
    assert client.get(f"/activityview/show/{ids['s2s']}").status_code in (302, 404)
    assert "Colleague's call" not in client.get("/activityview/list/").get_data(as_text=True)
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    assert rest.get(f"/api/v1/activity/{ids['s2s']}", headers=headers).status_code == 404
    assert rest.post(f"/api/v1/activity/{ids['s2s']}/done", headers=headers).status_code == 404
    listed = rest.get("/api/v1/activity/", headers=headers).get_json()["result"]
    assert {a["summary"] for a in listed} == {"Send brochure", "Call back", "Visit plant"}
    assert _activity(app, ids["s2s"]) == (None, None)
    # the manager sees and completes the team's; read-only sees but cannot complete
    ro = app.test_client()
    ro_headers = {"Authorization": f"Bearer {api_token(ro, 'ro')}"}
    assert ro.get(f"/api/v1/activity/{ids['s2s']}", headers=ro_headers).status_code == 200
    assert ro.post(f"/api/v1/activity/{ids['s2s']}/done",
                   headers=ro_headers).status_code in (401, 403)
    mgr = app.test_client()
    mgr_headers = {"Authorization": f"Bearer {api_token(mgr, 'mgr')}"}
    resp = mgr.post(f"/api/v1/activity/{ids['s2s']}/done", headers=mgr_headers,
                    json={"note": "Done by the manager"})
    assert resp.status_code == 200 and resp.get_json()["result"]["done_note"] == \
        "Done by the manager"
    assert mgr.post(f"/api/v1/activity/{ids['s2s']}/done",
                    headers=mgr_headers).status_code == 409


def test_get_never_completes(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    assert client.get(f"/sales/activities/{ids['today']}/done").status_code in (404, 405)
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    assert rest.get(f"/api/v1/activity/{ids['today']}/done",
                    headers=headers).status_code in (404, 405)
    assert _activity(app, ids["today"]) == (None, None)


def test_rest_crud_keeps_done_read_only_and_checks_parents(world):
    app, users, ids = world
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    resp = rest.post("/api/v1/activity/", headers=headers, json={
        "kind": "call", "summary": "Follow up", "due_date": TODAY.isoformat(),
        "lead": ids["lead"], "owner": users["s1"], "done_at": "2026-01-01T00:00:00"})
    assert resp.status_code == 422 and "done_at" in resp.get_json()["errors"]
    resp = rest.post("/api/v1/activity/", headers=headers, json={
        "kind": "call", "summary": "Follow up", "due_date": TODAY.isoformat(),
        "lead": ids["lead"], "company": ids["acme"], "owner": users["s1"]})
    assert resp.status_code == 422 and "parent" in resp.get_json()["errors"]
    resp = rest.post("/api/v1/activity/", headers=headers, json={
        "kind": "fax", "summary": "Follow up", "due_date": TODAY.isoformat(),
        "lead": ids["lead"], "owner": users["s1"]})
    assert resp.status_code == 422 and "kind" in resp.get_json()["errors"]
    resp = rest.post("/api/v1/activity/", headers=headers, json={
        "kind": "call", "summary": "Follow up", "due_date": TODAY.isoformat(),
        "due_time": "09:30:00", "lead": ids["lead"], "owner": users["s1"]})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    new_id = resp.get_json()["id"]
    # handing it to a colleague is outside a salesperson's rules
    resp = rest.put(f"/api/v1/activity/{new_id}", headers=headers,
                    json={"owner": users["s2"]})
    assert resp.status_code == 403
    shown = rest.get(f"/api/v1/activity/{new_id}", headers=headers).get_json()["result"]
    assert shown["owner"]["id"] == users["s1"] and shown["done_at"] is None
    assert shown["due_time"].startswith("09:30")


def test_panel_schedules_on_a_contact_with_csrf(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get(f"/sales/activities/of/company/{ids['acme']}").get_data(as_text=True)
    assert "Send brochure" in page and "Colleague's call" not in page
    token = csrf_token(page)
    resp = client.post(f"/sales/activities/of/company/{ids['acme']}", data={
        "csrf_token": token, "kind": "meeting", "summary": "Quarterly review",
        "due_date": (TODAY + 7 * DAY).isoformat(), "due_time": "14:00"})
    assert resp.status_code == 302
    page = client.get(f"/sales/activities/of/company/{ids['acme']}").get_data(as_text=True)
    assert "Quarterly review" in page
    # a bad date: a message naming the field, nothing stored
    resp = client.post(f"/sales/activities/of/company/{ids['acme']}", data={
        "csrf_token": token, "kind": "call", "summary": "Bad", "due_date": "tomorrow"},
        follow_redirects=True)
    assert "due_date" in resp.get_data(as_text=True)
    with app.app_context():
        from addons.sales.models import Activity

        new = db.session.scalars(select(Activity).where(
            Activity.summary.in_(["Quarterly review", "Bad"]))).all()
        assert [(a.summary, a.owner_id, a.team_id is not None) for a in new] == [
            ("Quarterly review", users["s1"], True)]
    # another's company: 404
    with app.app_context():
        from addons.contacts.models import Company

        other = Company(name="Not mine", owner_id=users["s2"])
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert client.get(f"/sales/activities/of/company/{other_id}").status_code == 404


def test_reminders_count_and_navbar_badge(world):
    app, users, ids = world
    with app.app_context():
        from addons.sales.models import Activity

        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        db.session.add_all([
            # a future activity whose reminder has passed: due
            Activity(kind="call", summary="Reminded", due_date=TODAY + 5 * DAY,
                     remind_at=now - dt.timedelta(minutes=5), owner_id=users["s1"],
                     company_id=ids["acme"]),
            # due today but reminding later: not yet
            Activity(kind="call", summary="Not yet", due_date=TODAY,
                     remind_at=now + dt.timedelta(hours=2), owner_id=users["s1"],
                     company_id=ids["acme"]),
        ])
        db.session.commit()
    client = app.test_client()
    login(client, "s1")
    data = client.get("/sales/activities/reminders").get_json()
    # overdue "Call back", today "Visit plant", and "Reminded"
    assert data["count"] == 3
    assert {i["summary"] for i in data["items"]} == {"Call back", "Visit plant", "Reminded"}
    page = client.get("/sales/activities/my").get_data(as_text=True)
    badge = re.search(r'id="sales-reminder-count"[^>]*>(\d+)<', page)
    assert badge and badge.group(1) == "3"
    due = client.get("/sales/reminders/")  # the bell's page: the same three, counted
    assert due.status_code == 200
    due = due.get_data(as_text=True)
    assert '<span class="badge">3</span>' in due
    assert all(s in due for s in ("Call back", "Visit plant", "Reminded")) and "Not yet" not in due
    token = csrf_token(page)
    client.post(f"/sales/activities/{ids['overdue']}/done", data={"csrf_token": token})
    assert client.get("/sales/activities/reminders").get_json()["count"] == 2
    other = app.test_client()
    login(other, "s2")
    assert other.get("/sales/activities/reminders").get_json()["count"] == 1


def test_generic_list_filters_overdue_and_done(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get("/activityview/list/").get_data(as_text=True)
    assert all(s in page for s in ("Send brochure", "Call back", "Visit plant"))
    # FAB numbers the filters of a column in order: due_date's custom "Overdue" is last
    with app.app_context():
        view = next(v for v in app.appbuilder.baseviews
                    if type(v).__name__ == "ActivityView")
        due_filters = view._filters.get_search_filters()["due_date"]
        done_filters = view._filters.get_search_filters()["done_at"]
        overdue = [type(f).__name__ for f in due_filters].index("FilterOverdue")
        is_done = [type(f).__name__ for f in done_filters].index("FilterDone")
    page = client.get(f"/activityview/list/?_flt_{overdue}_due_date=y").get_data(as_text=True)
    assert "Call back" in page and "Visit plant" not in page and "Send brochure" not in page
    token = csrf_token(client.get("/sales/activities/my").get_data(as_text=True))
    client.post(f"/sales/activities/{ids['today']}/done", data={"csrf_token": token})
    page = client.get(f"/activityview/list/?_flt_{is_done}_done_at=y").get_data(as_text=True)
    assert "Visit plant" in page and "Call back" not in page


def test_add_form_defaults_team_and_refuses_two_parents(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get("/activityview/add").get_data(as_text=True)
    assert 'name="done_at"' not in page and 'name="due_time"' in page
    token = csrf_token(page)
    resp = client.post("/activityview/add", data={
        "csrf_token": token, "kind": "meeting", "summary": "Demo at their office",
        "due_date": (TODAY + DAY).isoformat(), "due_time": "10:15", "lead": str(ids["lead"]),
        "owner": str(users["s1"]), "team": "", "company": "", "person": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = client.post("/activityview/add", data={
        "csrf_token": token, "kind": "call", "summary": "Two parents",
        "due_date": TODAY.isoformat(), "lead": str(ids["lead"]), "company": str(ids["acme"]),
        "owner": str(users["s1"]), "team": "", "person": ""}, follow_redirects=True)
    assert "exactly one of lead, company or person" in resp.get_data(as_text=True)
    with app.app_context():
        from addons.sales.models import Activity
        from core.security.teams import Team

        team_a = db.session.scalars(select(Team.id).where(Team.name == "A")).one()
        rows = db.session.scalars(select(Activity).where(
            Activity.summary.in_(["Demo at their office", "Two parents"]))).all()
        assert [(a.summary, a.owner_id, a.team_id, a.due_time) for a in rows] == [
            ("Demo at their office", users["s1"], team_a, dt.time(10, 15))]


def test_lead_page_shows_its_activities_and_schedules_from_the_panel(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get(f"/leadview/show/{ids['lead']}").get_data(as_text=True)
    assert 'id="activities"' in page and "Call back" in page
    assert f'action="/sales/activities/of/lead/{ids["lead"]}"' in page
    resp = client.post(f"/sales/activities/of/lead/{ids['lead']}", data={
        "csrf_token": csrf_token(page), "kind": "call", "summary": "Confirm the order",
        "due_date": TODAY.isoformat(), "next": f"/leadview/show/{ids['lead']}"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/leadview/show/{ids['lead']}")
    assert "Confirm the order" in client.get(
        f"/leadview/show/{ids['lead']}").get_data(as_text=True)
    # a lead of someone else: no page, no scheduling
    other = app.test_client()
    login(other, "s2")
    assert other.get(f"/leadview/show/{ids['lead']}").status_code in (302, 404)
    token = csrf_token(other.get("/sales/activities/my").get_data(as_text=True))
    assert other.post(f"/sales/activities/of/lead/{ids['lead']}", data={
        "csrf_token": token, "kind": "call", "summary": "Sneaky",
        "due_date": TODAY.isoformat()}).status_code == 404


def test_done_action_in_openapi_and_malformed_bodies_are_4xx(world):
    app, users, ids = world
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    add_user(app, "admin", ["Admin"])
    spec = rest.get("/api/v1/_openapi",
                    headers={"Authorization": f"Bearer {api_token(rest, 'admin')}"})
    assert spec.status_code == 200
    done = spec.get_json()["paths"]["/api/v1/activity/{pk}/done"]["post"]
    assert {"200", "400", "404", "409"} <= set(done["responses"])
    url = f"/api/v1/activity/{ids['today']}/done"
    assert rest.post(url, headers=headers, data="note=x",
                     content_type="text/plain").status_code == 400
    assert rest.post(url, headers=headers, json=["x"]).status_code == 400
    assert rest.post(url, headers=headers, json={"note": 5}).status_code == 400
    assert rest.post(f"/api/v1/activity/{2**70}/done", headers=headers).status_code == 404
    assert _activity(app, ids["today"]) == (None, None)
    assert rest.post(url, headers=headers, json={"note": "ok"}).status_code == 200
