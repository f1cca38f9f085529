"""Contacts under record rules: a salesperson sees and edits only own
contacts, a manager the team's (addons/contacts/security/record_rules.csv).
s1, s2 and mgr are in team A, s3 in team B; each owns one company and one person."""
from __future__ import annotations

import re

import pytest

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("contacts")

USERS = {"s1": (["Salesperson"], "A"), "s2": (["Salesperson"], "A"),
         "s3": (["Salesperson"], "B"), "mgr": (["Sales Manager"], "A"),
         "ro": (["Read-only"], None)}
OWNERS = ("s1", "s2", "s3", "mgr")
VISIBLE = {"s1": {"s1"}, "s3": {"s3"}, "mgr": {"s1", "s2", "mgr"}, "ro": set(OWNERS)}


@pytest.fixture
def world(app):
    install(app, "contacts")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from addons.contacts.models import Company, ContactPhone, Person

        ids = {}
        for owner in OWNERS:
            company = Company(name=f"company of {owner}", owner_id=users[owner],
                              phones=[ContactPhone(kind="work", number="13800138000")])
            person = Person(name=f"person of {owner}", owner_id=users[owner], company=company)
            db.session.add_all([company, person])
            db.session.flush()
            ids[owner] = (company.id, person.id)
        db.session.commit()
    return app, users, ids


def names_in(html: str, kind: str) -> set[str]:
    return set(re.findall(rf">\s*{kind} of (\w+)\s*<", html))


def test_lists_search_and_show_stay_in_scope(world):
    app, _, ids = world
    for user, visible in VISIBLE.items():
        client = app.test_client()
        login(client, user)
        for kind, view in (("company", "companyview"), ("person", "personview")):
            listed = client.get(f"/{view}/list/").get_data(as_text=True)
            assert names_in(listed, kind) == visible, (user, kind)
            searched = client.get(f"/{view}/list/?_flt_0_name={kind}+of").get_data(as_text=True)
            assert names_in(searched, kind) == visible, (user, kind)
        for owner, (company_id, person_id) in ids.items():
            expected = 200 if owner in visible else 404
            assert client.get(f"/companyview/show/{company_id}").status_code == expected
            assert client.get(f"/personview/show/{person_id}").status_code == expected


def test_rest_lists_and_gets_stay_in_scope(world):
    app, _, ids = world
    client = app.test_client()
    for user, visible in VISIBLE.items():
        headers = {"Authorization": f"Bearer {api_token(client, user)}"}
        for resource, kind in (("company", "company"), ("person", "person")):
            body = client.get(f"/api/v1/{resource}/", headers=headers).get_json()
            assert {r["name"].split(" of ")[1] for r in body["result"]} == visible, user
            assert body["count"] == len(visible)
        for owner, (company_id, person_id) in ids.items():
            expected = 200 if owner in visible else 404
            got = client.get(f"/api/v1/company/{company_id}", headers=headers)
            assert got.status_code == expected, (user, owner)
            if expected == 200:  # a visible company's phones come with it
                assert got.get_json()["result"]["phones"][0]["e164"] == "+8613800138000"
            got = client.get(f"/api/v1/person/{person_id}", headers=headers)
            assert got.status_code == expected, (user, owner)


def test_a_salesperson_cannot_edit_a_colleagues_contact(world):
    app, users, ids = world
    client = app.test_client()
    token = login(client, "s1")
    s2_company, s2_person = ids["s2"]
    assert client.get(f"/companyview/edit/{s2_company}").status_code == 404
    resp = client.post(f"/companyview/edit/{s2_company}",
                       data={"name": "hacked", "owner": str(users["s1"]), "csrf_token": token})
    assert resp.status_code == 404
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    assert client.put(f"/api/v1/person/{s2_person}", headers=headers,
                      json={"name": "hacked"}).status_code == 404
    assert client.put(f"/api/v1/company/{ids['s1'][0]}", headers=headers,
                      json={"owner": users["s2"]}).status_code == 403
    with app.app_context():
        from addons.contacts.models import Company, Person

        assert db.session.get(Company, s2_company).name == "company of s2"
        assert db.session.get(Person, s2_person).name == "person of s2"
        assert db.session.get(Company, ids["s1"][0]).owner_id == users["s1"]


def test_a_manager_edits_the_teams_contacts_only(world):
    app, _, ids = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'mgr')}"}
    assert client.put(f"/api/v1/company/{ids['s2'][0]}", headers=headers,
                      json={"industry": "Retail"}).status_code == 200
    assert client.put(f"/api/v1/company/{ids['s3'][0]}", headers=headers,
                      json={"industry": "Retail"}).status_code == 404
    ro = {"Authorization": f"Bearer {api_token(client, 'ro')}"}
    assert client.put(f"/api/v1/company/{ids['s1'][0]}", headers=ro,
                      json={"industry": "x"}).status_code == 403
    with app.app_context():
        from addons.contacts.models import Company

        assert db.session.get(Company, ids["s2"][0]).industry == "Retail"
        assert db.session.get(Company, ids["s3"][0]).industry is None
        assert db.session.get(Company, ids["s1"][0]).industry is None
