"""A contact's timeline: notes, calls and meetings logged on the show page or
over REST, records other addons attach, paging, and the record rules on every
path. s1 and s2 are salespeople of team A, mgr manages team A; s1's company
"Acme" has two people, one owned by s1 and one by s2."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")

UTC = dt.timezone.utc


@pytest.fixture
def world(app):
    install(app, "contacts")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s2": add_user(app, "s2", ["Salesperson"], "A"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A"),
             "ro": add_user(app, "ro", ["Read-only"]),
             "seer": add_user(app, "seer", ["Salesperson", "Read-only"]),
             "admin": add_user(app, "admin", ["Admin"])}
    with app.app_context():
        from addons.contacts.models import Company, Person

        acme = Company(name="Acme", owner_id=users["s1"])
        other = Company(name="Other of s2", owner_id=users["s2"])
        own = Person(name="Wang Fang", owner_id=users["s1"], company=acme)
        hidden = Person(name="Hidden Hu", owner_id=users["s2"], company=acme)
        db.session.add_all([acme, other, own, hidden])
        db.session.commit()
        ids = {"acme": acme.id, "other": other.id, "own": own.id, "hidden": hidden.id}
    return app, users, ids


def _entries(app, **parent):
    with app.app_context():
        from addons.contacts.models import TimelineEntry

        return [(e.kind, e.subject) for e in db.session.scalars(
            select(TimelineEntry).filter_by(**parent).order_by(TimelineEntry.id))]


def _attach(app, contact_model: str, pk: int, *args, **kwargs):
    with app.app_context():
        from addons.contacts import models
        from addons.contacts.services import timeline

        contact = db.session.get(getattr(models, contact_model), pk)
        entry = timeline.attach(db.session, contact, *args, **kwargs)
        db.session.commit()
        return entry.id


def _auth(client, user):
    return {"Authorization": f"Bearer {api_token(client, user)}"}


def test_log_through_the_form_and_rest(world):
    app, users, ids = world
    client = app.test_client()
    login(client, "s1")
    page = client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True)
    assert 'id="timeline"' in page and 'name="subject"' in page
    resp = client.post(f"/companyview/timeline/{ids['acme']}", data={
        "csrf_token": csrf_token(page), "kind": "call", "subject": "Asked for a quote",
        "body": "Wants 500 units", "occurred_at": "2026-11-20T09:30"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#timeline")
    assert _entries(app, company_id=ids["acme"]) == [("call", "Asked for a quote")]

    rest = app.test_client()
    headers = _auth(rest, "s1")
    created = rest.post(f"/api/v1/company/{ids['acme']}/timeline", headers=headers,
                        json={"kind": "meeting", "subject": "Visit in Shanghai",
                              "occurred_at": "2026-11-21T02:00:00Z"})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["result"]["author"]["username"] == "s1"
    listed = rest.get(f"/api/v1/company/{ids['acme']}/timeline", headers=headers).get_json()
    assert [(e["kind"], e["subject"]) for e in listed["result"]] == [
        ("meeting", "Visit in Shanghai"), ("call", "Asked for a quote")]
    assert listed["result"][1]["occurred_at"] == "2026-11-20T09:30:00+00:00"
    assert listed["next"] is None
    spec = rest.get("/api/v1/_openapi", headers=_auth(rest, "admin")).get_json()["paths"]
    for contact in ("company", "person"):
        assert {"get", "post"} <= set(spec[f"/api/v1/{contact}/{{pk}}/timeline"])

    shown = client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True)
    assert shown.index("Visit in Shanghai") < shown.index("Asked for a quote")
    assert "Wants 500 units" in shown and "fa-phone" in shown and "fa-users" in shown
    assert "Nov 20, 2026, 9:30:00" in shown  # the time in the reader's language
    zh = client.get(f"/companyview/show/{ids['acme']}",
                    headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "2026年11月20日 09:30:00" in zh
    person = client.post(f"/personview/timeline/{ids['own']}", data={
        "csrf_token": csrf_token(page), "kind": "note", "subject": "Prefers WeChat"})
    assert person.status_code == 302
    assert _entries(app, person_id=ids["own"]) == [("note", "Prefers WeChat")]


def test_bad_input_is_refused_by_name_and_stores_nothing(world):
    app, _, ids = world
    client = app.test_client()
    login(client, "s1")
    token = csrf_token(client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True))
    resp = client.post(f"/companyview/timeline/{ids['acme']}", follow_redirects=True,
                       data={"csrf_token": token, "kind": "note", "subject": "  "})
    assert "subject: a subject is required" in resp.get_data(as_text=True)
    headers = _auth(app.test_client(), "s1")
    for body, field in [({"kind": "order", "subject": "x"}, "kind"),
                        ({"kind": "note", "subject": "x" * 256}, "subject"),
                        ({"kind": "note", "subject": "x", "occurred_at": "2026-11-21T02:00"},
                         "occurred_at"),
                        ({"kind": "note", "subject": "x", "occurred_at": "yesterday"},
                         "occurred_at")]:
        resp = app.test_client().post(f"/api/v1/company/{ids['acme']}/timeline",
                                      headers=headers, json=body)
        assert resp.status_code == 422, body
        assert field in resp.get_json()["message"], resp.get_json()
    assert app.test_client().post(f"/api/v1/company/{ids['acme']}/timeline", headers=headers,
                                  data="not json").status_code == 400
    assert _entries(app, company_id=ids["acme"]) == []


def test_attach_from_another_addon_is_idempotent_on_its_source(world):
    app, _, ids = world
    first = _attach(app, "Company", ids["acme"], "order", "Order SO-7", source=("sales.order", 7),
                    url="/sales/order/7")
    again = _attach(app, "Company", ids["acme"], "order", "Order SO-7 (confirmed)",
                    source=("sales.order", 7), url="/sales/order/7")
    other = _attach(app, "Company", ids["acme"], "order", "Order SO-8", source=("sales.order", 8))
    on_person = _attach(app, "Person", ids["own"], "order", "Order SO-7",
                        source=("sales.order", 7))
    assert first == again and len({first, other, on_person}) == 3
    assert _entries(app, company_id=ids["acme"]) == [("order", "Order SO-7 (confirmed)"),
                                                    ("order", "Order SO-8")]
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services import timeline
        from addons.contacts.rules.field_error import ContactFieldError

        with pytest.raises(ContactFieldError, match="kind"):
            timeline.attach(db.session, db.session.get(Company, ids["acme"]), "fax", "x")
        timeline.declare_kind("fax", "Fax", "fa-fax")
        try:
            assert timeline.attach(db.session, db.session.get(Company, ids["acme"]),
                                   "fax", "Fax received").kind == "fax"
        finally:
            timeline.KINDS.pop("fax")
            db.session.rollback()
    client = app.test_client()
    login(client, "s1")
    page = client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True)
    assert 'href="/sales/order/7"' in page and "fa-shopping-cart" in page


def test_newest_first_and_paged_without_gaps(world):
    app, _, ids = world
    base = dt.datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    # 45 entries, several sharing a time: the id breaks the tie
    for n in range(45):
        _attach(app, "Company", ids["acme"], "note", f"entry {n:02d}",
                occurred_at=base + dt.timedelta(hours=n // 3))
    expected = [f"entry {n:02d}" for n in sorted(range(45), key=lambda n: (n // 3, n),
                                                    reverse=True)]
    headers = _auth(app.test_client(), "s1")
    seen, cursor = [], None
    while True:
        url = f"/api/v1/company/{ids['acme']}/timeline?limit=7"
        resp = app.test_client().get(url + (f"&before={cursor}" if cursor else ""),
                                     headers=headers).get_json()
        seen += [e["subject"] for e in resp["result"]]
        cursor = resp["next"]
        if cursor is None:
            break
    assert seen == expected

    client = app.test_client()
    login(client, "s1")
    page = client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True)
    shown = re.findall(r"entry \d\d", page)
    assert shown == expected[:20]
    more = re.search(r'data-fragment="([^"]+)"', page).group(1).replace("&amp;", "&")
    fragment = client.get(more).get_data(as_text=True)
    assert re.findall(r"entry \d\d", fragment) == expected[20:40]
    assert client.get(f"/companyview/timeline/{ids['acme']}?before=garbage").status_code == 400


def test_company_timeline_lists_its_visible_peoples_entries(world):
    app, _, ids = world
    _attach(app, "Company", ids["acme"], "note", "About Acme")
    _attach(app, "Person", ids["own"], "call", "Called Wang Fang")
    _attach(app, "Person", ids["hidden"], "call", "Called Hidden Hu")
    for user, expected in [("s1", {"About Acme", "Called Wang Fang"}),
                           ("mgr", {"About Acme", "Called Wang Fang", "Called Hidden Hu"})]:
        headers = _auth(app.test_client(), user)
        result = app.test_client().get(f"/api/v1/company/{ids['acme']}/timeline",
                                       headers=headers).get_json()["result"]
        assert {e["subject"] for e in result} == expected, user
        by_subject = {e["subject"]: e for e in result}
        assert by_subject["Called Wang Fang"]["person"]["name"] == "Wang Fang"
        client = app.test_client()
        login(client, user)
        page = client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True)
        assert ("Called Hidden Hu" in page) == (user == "mgr")
        assert 'class="timeline-person"' in page
    own_only = app.test_client().get(
        f"/api/v1/company/{ids['acme']}/timeline?include_people=false",
        headers=_auth(app.test_client(), "mgr")).get_json()["result"]
    assert [e["subject"] for e in own_only] == ["About Acme"]
    person = app.test_client().get(f"/api/v1/person/{ids['own']}/timeline",
                                   headers=_auth(app.test_client(), "s1")).get_json()["result"]
    assert [e["subject"] for e in person] == ["Called Wang Fang"]


def test_record_rules_on_every_path(world):
    app, _, ids = world
    _attach(app, "Company", ids["other"], "note", "Secret of s2")
    client = app.test_client()
    login(client, "s1")
    token = csrf_token(client.get(f"/companyview/show/{ids['acme']}").get_data(as_text=True))
    # s1 cannot see s2's company: it does not exist for s1, on any path
    assert client.get(f"/companyview/show/{ids['other']}").status_code == 404
    assert client.get(f"/companyview/timeline/{ids['other']}").status_code == 404
    assert client.post(f"/companyview/timeline/{ids['other']}", data={
        "csrf_token": token, "kind": "note", "subject": "sneaky"}).status_code == 404
    headers = _auth(app.test_client(), "s1")
    rest = app.test_client()
    assert rest.get(f"/api/v1/company/{ids['other']}/timeline", headers=headers).status_code == 404
    assert rest.post(f"/api/v1/company/{ids['other']}/timeline", headers=headers,
                     json={"kind": "note", "subject": "sneaky"}).status_code == 404
    assert rest.post(f"/api/v1/person/{ids['hidden']}/timeline", headers=headers,
                     json={"kind": "note", "subject": "sneaky"}).status_code == 404

    # "seer" reads every contact but writes only own ones: may read, may not log
    seer = _auth(app.test_client(), "seer")
    listed = rest.get(f"/api/v1/company/{ids['other']}/timeline", headers=seer)
    assert [e["subject"] for e in listed.get_json()["result"]] == ["Secret of s2"]
    refused = rest.post(f"/api/v1/company/{ids['other']}/timeline", headers=seer,
                        json={"kind": "note", "subject": "sneaky"})
    assert refused.status_code == 403 and "may not change" in refused.get_json()["message"]
    seer_client = app.test_client()
    seer_token = login(seer_client, "seer")
    page = seer_client.get(f"/companyview/show/{ids['other']}").get_data(as_text=True)
    assert "Secret of s2" in page and 'name="subject"' not in page  # no form offered
    assert seer_client.post(f"/companyview/timeline/{ids['other']}", data={
        "csrf_token": seer_token, "kind": "note", "subject": "sneaky"}).status_code == 403
    # read-only: no permission to log at all
    ro = _auth(app.test_client(), "ro")
    assert rest.get(f"/api/v1/company/{ids['acme']}/timeline", headers=ro).status_code == 200
    assert rest.post(f"/api/v1/company/{ids['acme']}/timeline", headers=ro,
                     json={"kind": "note", "subject": "sneaky"}).status_code in (401, 403)
    assert _entries(app, company_id=ids["other"]) == [("note", "Secret of s2")]
    assert _entries(app, company_id=ids["acme"]) == []


def test_csrf_is_required(world):
    app, _, ids = world
    client = app.test_client()
    login(client, "s1")
    resp = client.post(f"/companyview/timeline/{ids['acme']}",
                       data={"kind": "note", "subject": "no token"})
    assert resp.status_code == 400
    cookie_api = client.post(f"/api/v1/company/{ids['acme']}/timeline",
                             json={"kind": "note", "subject": "no token"})
    assert cookie_api.status_code in (400, 401)
    assert _entries(app, company_id=ids["acme"]) == []


def test_deleting_a_contact_removes_its_entries(world):
    app, _, ids = world
    _attach(app, "Company", ids["acme"], "note", "About Acme")
    _attach(app, "Person", ids["own"], "note", "About Wang Fang")
    _attach(app, "Person", ids["hidden"], "note", "About Hidden Hu")
    client = app.test_client()
    token = login(client, "admin")
    assert client.post(f"/personview/delete/{ids['own']}",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(f"/companyview/delete/{ids['acme']}",
                       data={"csrf_token": token}).status_code == 302
    with app.app_context():
        from addons.contacts.models import TimelineEntry

        left = db.session.scalars(select(TimelineEntry.subject)).all()
        assert left == ["About Hidden Hu"]  # the person outlives the company
        assert db.session.scalar(select(func.count()).select_from(TimelineEntry)) == 1
