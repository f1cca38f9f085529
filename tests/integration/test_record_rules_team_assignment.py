"""Owner and team can only be assigned within the writer's own scope.

A salesperson (own scope) may not move a row to a team they are not in; a
manager (team scope) may hand a row only to a member of their teams, and to
one of their teams. Checked on companies (contacts) and leads (sales), over
REST and through the HTML edit form: 403, nothing changed. s1, s2 and mgr are
in team A; s3 and mgr_b in team B."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from core.db import db
from core.security.teams import Team
from tests.helpers import add_user, api_token, install, login

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "mgr_b": (["Sales Manager"], "B")}
# (REST resource, HTML view) per kind of row
KINDS = {"company": ("company", "companyview"), "lead": ("lead", "leadview")}


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Lead

        teams = {t.name: t.id for t in db.session.query(Team)}
        rows = {}
        for owner in ("s1", "s2"):
            company = Company(name=f"company of {owner}", owner_id=users[owner],
                              team_id=teams["A"])
            lead = Lead(name=f"lead of {owner}", type="lead", owner_id=users[owner],
                        team_id=teams["A"])
            db.session.add_all([company, lead])
            db.session.flush()
            rows["company", owner], rows["lead", owner] = company.id, lead.id
        db.session.commit()
    return app, users, teams, rows


def stored(app, kind, pk):
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Lead

        row = db.session.get({"company": Company, "lead": Lead}[kind], pk)
        return row.owner_id, row.team_id


class _FormValues(HTMLParser):
    """The values FAB's edit form would post as it stands (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "form":
            self._in_form = a.get("id") == "model_form"
        if not self._in_form:
            return
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data


def edit_form(client, view, pk, **changes):
    resp = client.get(f"/{view}/edit/{pk}")
    assert resp.status_code == 200, resp.status_code
    parser = _FormValues()
    parser.feed(resp.get_data(as_text=True))
    data = parser.values
    data.update({k: [str(v)] for k, v in changes.items()})
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_a_salesperson_cannot_move_a_row_to_another_team(world, kind):
    app, users, teams, rows = world
    resource, view = KINDS[kind]
    pk = rows[kind, "s1"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    resp = client.put(f"/api/v1/{resource}/{pk}", headers=headers, json={"team": teams["B"]})
    assert resp.status_code == 403
    assert "outside what s1 may change" in resp.get_json()["message"]
    login(client, "s1")
    resp = client.post(f"/{view}/edit/{pk}", data=edit_form(client, view, pk, team=teams["B"]))
    assert resp.status_code == 403
    assert stored(app, kind, pk) == (users["s1"], teams["A"])
    # so team B's manager never gets to edit it
    other = app.test_client()
    assert other.put(f"/api/v1/{resource}/{pk}", json={"name": "mine now"}, headers={
        "Authorization": f"Bearer {api_token(other, 'mgr_b')}"}).status_code == 404

    # the salesperson's own team, or none, is fine
    assert client.put(f"/api/v1/{resource}/{pk}", headers=headers,
                      json={"team": None}).status_code == 200
    resp = client.post(f"/{view}/edit/{pk}", data=edit_form(client, view, pk, team=teams["A"]))
    assert resp.status_code == 302
    assert stored(app, kind, pk) == (users["s1"], teams["A"])


@pytest.mark.parametrize("kind", KINDS)
def test_a_manager_cannot_hand_a_row_to_another_team(world, kind):
    app, users, teams, rows = world
    resource, view = KINDS[kind]
    pk = rows[kind, "s2"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'mgr')}"}
    for change in ({"owner": users["s3"]}, {"team": teams["B"]},
                   {"owner": users["s3"], "team": teams["B"]}):
        resp = client.put(f"/api/v1/{resource}/{pk}", headers=headers, json=change)
        assert resp.status_code == 403, change
    login(client, "mgr")
    for change in ({"owner": users["s3"]}, {"team": teams["B"]}):
        resp = client.post(f"/{view}/edit/{pk}", data=edit_form(client, view, pk, **change))
        assert resp.status_code == 403, change
    assert stored(app, kind, pk) == (users["s2"], teams["A"])

    # within the team: allowed, on both paths
    assert client.put(f"/api/v1/{resource}/{pk}", headers=headers,
                      json={"owner": users["s1"]}).status_code == 200
    resp = client.post(f"/{view}/edit/{pk}", data=edit_form(client, view, pk,
                                                            owner=users["mgr"]))
    assert resp.status_code == 302
    assert stored(app, kind, pk) == (users["mgr"], teams["A"])


def test_a_new_row_cannot_be_created_for_another_team(world):
    app, _, teams, _ = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    assert client.post("/api/v1/company/", headers=headers,
                       json={"name": "for team B", "team": teams["B"]}).status_code == 403
    assert client.post("/api/v1/company/", headers=headers,
                       json={"name": "for team A", "team": teams["A"]}).status_code == 201
    with app.app_context():
        from addons.contacts.models import Company

        names = {c.name for c in db.session.query(Company)}
    assert "for team B" not in names and "for team A" in names
