"""Record rules on every path a row can be read or written through, per role.

Salesperson: own/own; Sales Manager: team/team; Read-only: all/none; Admin: all
(tests/addons/example_notes/security/record_rules.csv). s1, s2 and mgr are in
team A, s3 in team B; each user but ro owns one note.
"""
from __future__ import annotations

import json
import re

import pytest

from core.db import db
from core.security.teams import Team
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("example_notes")

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "ro": (["Read-only"], None), "boss": (["Admin"], None)}
OWNERS = ("s1", "s2", "s3", "mgr", "boss")  # each owns "note of <name>"
ALL = set(OWNERS)
VISIBLE = {"s1": {"s1"}, "s2": {"s2"}, "s3": {"s3"}, "mgr": {"s1", "s2", "mgr"},
           "ro": ALL, "boss": ALL}


@pytest.fixture
def world(app):
    install(app, "example_notes")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from example_notes.models import Note

        teams = {t.name: t.id for t in db.session.query(Team)}
        notes = {}
        for owner in OWNERS:
            team = USERS[owner][1]
            note = Note(title=f"note of {owner}", owner_id=users[owner],
                        team_id=teams.get(team))
            db.session.add(note)
            db.session.flush()
            notes[owner] = note.id
        db.session.commit()
    return app, users, teams, notes


def note_row(app, note_id):
    """The stored row, read outside any request (the system sees everything)."""
    with app.app_context():
        from example_notes.models import Note

        note = db.session.get(Note, note_id)
        return None if note is None else (note.title, note.owner_id, note.team_id)


def titles_in(html: str) -> set[str]:
    """Note titles shown as text (not echoed back in a search box value)."""
    return set(re.findall(r">\s*note of (\w+)\s*<", html))


def form(title, owner_id, team_id, token, **extra):
    return {"title": title, "body": "", "owner": str(owner_id or "__None"),
            "team": str(team_id or "__None"), "parent": "__None", "csrf_token": token, **extra}


def bearer(app, username):
    return {"Authorization": f"Bearer {api_token(app.test_client(), username)}"}


def test_html_list_search_and_show_stay_in_scope(world):
    app, _, _, notes = world
    for user, visible in VISIBLE.items():
        client = app.test_client()
        login(client, user)
        listed = client.get("/noteview/list/")
        assert listed.status_code == 200
        assert titles_in(listed.get_data(as_text=True)) == visible, user
        searched = client.get("/noteview/list/?_flt_0_title=note+of")
        assert titles_in(searched.get_data(as_text=True)) == visible, user
        # searching for a row outside the scope by its exact title finds nothing
        hidden = next(iter(ALL - visible), None)
        if hidden:
            found = client.get(f"/noteview/list/?_flt_0_title=note+of+{hidden}")
            assert titles_in(found.get_data(as_text=True)) == set(), user
        for owner, note_id in notes.items():
            expected = 200 if owner in visible else 404
            assert client.get(f"/noteview/show/{note_id}").status_code == expected, (user, owner)


def test_rest_list_and_get_stay_in_scope(world):
    app, _, _, notes = world
    client = app.test_client()
    for user, visible in VISIBLE.items():
        headers = bearer(app, user)
        resp = client.get("/api/v1/note/", headers=headers)
        assert resp.status_code == 200
        body = resp.get_json()
        assert {r["title"][len("note of "):] for r in body["result"]} == visible, user
        assert body["count"] == len(visible)
        for owner, note_id in notes.items():
            expected = 200 if owner in visible else 404
            got = client.get(f"/api/v1/note/{note_id}", headers=headers)
            assert got.status_code == expected, (user, owner)


def test_chart_counts_only_rows_in_scope(world):
    app, _, _, _ = world
    for user, visible in VISIBLE.items():
        client = app.test_client()
        login(client, user)
        resp = client.get("/notechartview/chart/")
        assert resp.status_code == 200, user
        data = re.search(r"var jsonDataNoteChartView = (\{.*\})",
                         resp.get_data(as_text=True)).group(1)
        rows = {r["c"][0]["v"]: r["c"][1]["v"] for r in json.loads(data)["rows"]}
        assert rows == {owner: 1 for owner in visible}, user


def test_related_pickers_offer_only_rows_in_scope(world):
    """The "parent" field picks a note: its choices are a read of a ruled model."""
    app, _, _, _ = world
    for user in ("s1", "mgr"):
        client = app.test_client()
        login(client, user)
        html = client.get("/noteview/add").get_data(as_text=True)
        select = re.search(r'<select[^>]*name="parent".*?</select>', html, re.S).group(0)
        assert titles_in(select) == VISIBLE[user]
        info = client.get("/api/v1/note/_info", headers=bearer(app, user)).get_json()
        parent = next(c for c in info["add_columns"] if c["name"] == "parent")
        assert {v["value"][len("note of "):] for v in parent["values"]} == VISIBLE[user]


def test_html_edit_and_delete_outside_scope_are_refused(world):
    app, users, teams, notes = world
    client = app.test_client()
    token = login(client, "s1")
    before = note_row(app, notes["s3"])
    assert client.get(f"/noteview/edit/{notes['s3']}").status_code == 404
    resp = client.post(f"/noteview/edit/{notes['s3']}",
                       data=form("hacked", users["s1"], teams["A"], token))
    assert resp.status_code == 404
    assert client.post(f"/noteview/delete/{notes['s3']}",
                       data={"csrf_token": token}).status_code == 404
    assert note_row(app, notes["s3"]) == before

    # the read-only role may see every row but change none
    ro = app.test_client()
    ro_token = login(ro, "ro")
    resp = ro.post(f"/noteview/edit/{notes['s1']}",
                   data=form("ro was here", users["s1"], teams["A"], ro_token))
    assert resp.status_code in (302, 403)
    assert ro.post(f"/noteview/delete/{notes['s1']}",
                   data={"csrf_token": ro_token}).status_code in (302, 403)
    assert note_row(app, notes["s1"]) == ("note of s1", users["s1"], teams["A"])


def test_html_edit_in_scope_works_but_handing_a_row_out_of_scope_is_403(world):
    app, users, teams, notes = world
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post(f"/noteview/edit/{notes['s1']}",
                       data=form("renamed", users["s1"], teams["A"], token))
    assert resp.status_code == 302
    assert note_row(app, notes["s1"]) == ("renamed", users["s1"], teams["A"])

    resp = client.post(f"/noteview/edit/{notes['s1']}",
                       data=form("given away", users["s3"], teams["A"], token))
    assert resp.status_code == 403
    assert "outside what s1 may change" in resp.get_data(as_text=True)
    assert note_row(app, notes["s1"]) == ("renamed", users["s1"], teams["A"])

    manager = app.test_client()
    mtoken = login(manager, "mgr")
    # within the team: allowed
    resp = manager.post(f"/noteview/edit/{notes['s1']}",
                        data=form("to s2", users["s2"], teams["A"], mtoken))
    assert resp.status_code == 302
    assert note_row(app, notes["s1"]) == ("to s2", users["s2"], teams["A"])
    # out of the team: refused
    resp = manager.post(f"/noteview/edit/{notes['s1']}",
                        data=form("to team B", users["s3"], teams["B"], mtoken))
    assert resp.status_code == 403
    assert note_row(app, notes["s1"]) == ("to s2", users["s2"], teams["A"])


def test_html_create_owns_the_note_and_cannot_create_for_others(world):
    app, users, teams, _ = world
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post("/noteview/add", data=form("mine", None, None, token))
    assert resp.status_code == 302
    resp = client.post("/noteview/add", data=form("for s3", users["s3"], None, token))
    assert resp.status_code == 403
    with app.app_context():
        from example_notes.models import Note

        rows = {n.title: n.owner_id for n in db.session.query(Note)
                .filter(Note.title.in_(["mine", "for s3"]))}
    assert rows == {"mine": users["s1"]}


def test_html_delete_in_scope_and_bulk_delete(world):
    app, _, _, notes = world
    client = app.test_client()
    token = login(client, "s1")
    # a bulk delete that includes a row outside the scope deletes nothing
    resp = client.post("/noteview/action_post", data={
        "action": "muldelete", "rowid": [str(notes["s1"]), str(notes["s3"])],
        "csrf_token": token})
    assert resp.status_code == 404
    assert note_row(app, notes["s1"]) and note_row(app, notes["s3"])
    assert client.post("/noteview/action_post", data={
        "action": "no_such_action", "rowid": [str(notes["s1"])],
        "csrf_token": token}).status_code == 400

    manager = app.test_client()
    mtoken = login(manager, "mgr")
    resp = manager.post("/noteview/action_post", data={
        "action": "muldelete", "rowid": [str(notes["s1"]), str(notes["s2"])],
        "csrf_token": mtoken})
    assert resp.status_code == 302
    assert note_row(app, notes["s1"]) is None and note_row(app, notes["s2"]) is None
    assert note_row(app, notes["s3"]) is not None

    resp = manager.post(f"/noteview/delete/{notes['mgr']}", data={"csrf_token": mtoken})
    assert resp.status_code == 302
    assert note_row(app, notes["mgr"]) is None


def test_rest_writes_stay_in_scope(world):
    app, users, teams, notes = world
    client = app.test_client()
    s1 = bearer(app, "s1")
    before = note_row(app, notes["s3"])
    assert client.put(f"/api/v1/note/{notes['s3']}", headers=s1,
                      json={"title": "hacked"}).status_code == 404
    assert client.delete(f"/api/v1/note/{notes['s3']}", headers=s1).status_code == 404
    assert note_row(app, notes["s3"]) == before

    resp = client.put(f"/api/v1/note/{notes['s1']}", headers=s1, json={"owner": users["s3"]})
    assert resp.status_code == 403
    assert "outside what s1 may change" in resp.get_json()["message"]
    assert note_row(app, notes["s1"]) == ("note of s1", users["s1"], teams["A"])

    resp = client.post("/api/v1/note/", headers=s1, json={"title": "x", "owner": users["s3"]})
    assert resp.status_code == 403
    resp = client.post("/api/v1/note/", headers=s1, json={"title": "created by s1"})
    assert resp.status_code == 201
    assert note_row(app, resp.get_json()["id"]) == ("created by s1", users["s1"], None)

    resp = client.put(f"/api/v1/note/{notes['s1']}", headers=s1, json={"title": "edited"})
    assert resp.status_code == 200
    assert note_row(app, notes["s1"])[0] == "edited"
    assert client.delete(f"/api/v1/note/{notes['s1']}", headers=s1).status_code == 200
    assert note_row(app, notes["s1"]) is None

    mgr = bearer(app, "mgr")
    assert client.put(f"/api/v1/note/{notes['s2']}", headers=mgr,
                      json={"team": teams["B"], "owner": users["s3"]}).status_code == 403
    assert client.put(f"/api/v1/note/{notes['s2']}", headers=mgr,
                      json={"title": "checked"}).status_code == 200
    assert note_row(app, notes["s2"]) == ("checked", users["s2"], teams["A"])

    ro = bearer(app, "ro")
    assert client.put(f"/api/v1/note/{notes['s2']}", headers=ro,
                      json={"title": "ro"}).status_code == 403
    assert client.delete(f"/api/v1/note/{notes['s2']}", headers=ro).status_code == 403
    assert note_row(app, notes["s2"]) == ("checked", users["s2"], teams["A"])


def test_related_columns_through_aliased_joins_stay_in_scope(world):
    # FAB joins a related table under an alias to show `parent.title`; the rule
    # must filter that alias too, not break the query or reveal the parent
    app, _, _, notes = world
    with app.app_context():
        from example_notes.models import Note

        db.session.get(Note, notes["s1"]).parent_id = notes["boss"]
        db.session.get(Note, notes["mgr"]).parent_id = notes["s2"]
        db.session.commit()
    client = app.test_client()
    for user, parents in [("s1", {"note of s1": None}),
                          ("mgr", {"note of s1": None, "note of s2": None,
                                   "note of mgr": "note of s2"}),
                          ("boss", {"note of s1": "note of boss"})]:
        resp = client.get("/api/v1/note/", headers=bearer(app, user))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        shown = {r["title"]: (r.get("parent") or {}).get("title")
                 for r in resp.get_json()["result"]}
        assert {t: shown[t] for t in parents} == parents, user
        if user == "s1":
            assert set(shown) == {"note of s1"}
