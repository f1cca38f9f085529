"""A person's company picker: the form lists no companies, the browser asks
`/personview/company_choices` for matches, and a posted company id is loaded
alone, under the record rules. s1 and s2 are salespeople of team A (each sees
only own companies); the admin sees every company."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")

PICKER = "/personview/company_choices"


@pytest.fixture
def world(app):
    install(app, "contacts")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s2": add_user(app, "s2", ["Salesperson"], "A"),
             "boss": add_user(app, "boss", ["Admin"])}
    with app.app_context():
        from addons.contacts.models import Company

        companies = {
            "s1": Company(name="Acme Robotics", owner_id=users["s1"]),
            "s1b": Company(name="Blue Harbour Trading", owner_id=users["s1"]),
            "s2": Company(name="Acme Robotics Shanghai", owner_id=users["s2"]),
        }
        db.session.add_all(companies.values())
        db.session.commit()
        ids = {key: company.id for key, company in companies.items()}
    app.user_ids = users
    return app, ids


def person_form(token, **fields):
    data = {"name": "", "company": "", "job_title": "", "phone_lines": "", "email_lines": "",
            "website": "", "street": "", "city": "", "province": "", "postal_code": "",
            "country_code": "", "industry": "", "source": "", "tier": "__None",
            "owner": "__None", "team": "__None", "active": "y", "notes": "",
            "csrf_token": token}
    data.update(fields)
    return data


def people(app):
    with app.app_context():
        from addons.contacts.models import Person

        return {p.name: p.company_id for p in db.session.scalars(select(Person))}


def people_count(app):
    with app.app_context():
        from addons.contacts.models import Person

        return db.session.scalar(select(func.count()).select_from(Person))


def company_options(html: str) -> list[tuple[str, str]]:
    select_html = re.search(r'<select[^>]*name="company".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', unescape(select_html))


def test_add_form_lists_no_company_but_loads_the_picker(world):
    app, _ = world
    client = app.test_client()
    login(client, "boss")
    html = client.get("/personview/add").get_data(as_text=True)
    assert company_options(html) == [("", "")]
    for name in ("Acme Robotics", "Blue Harbour Trading"):
        assert name not in html
    assert 'data-endpoint="/personview/company_choices"' in html
    # the script is served by the addon, with FAB's select2 on the page (no CDN)
    script = re.search(r'<script src="([^"]*company_picker\.js)"', html).group(1)
    resp = client.get(script)
    assert resp.status_code == 200 and b"select2" in resp.get_data()
    assert "js/select2/select2.min.js" in html
    assert "//cdn" not in html


def test_picker_finds_by_fragment_within_the_record_rules(world):
    app, ids = world
    client = app.test_client()
    login(client, "boss")
    found = client.get(PICKER, query_string={"q": "robot"}).get_json()["results"]
    assert found == [{"id": ids["s1"], "text": "Acme Robotics"},
                     {"id": ids["s2"], "text": "Acme Robotics Shanghai"}]
    assert client.get(PICKER, query_string={"q": ""}).get_json()["results"] == []

    client = app.test_client()
    login(client, "s1")
    assert client.get(PICKER, query_string={"q": "acme"}).get_json()["results"] == [
        {"id": ids["s1"], "text": "Acme Robotics"}]
    assert client.get(PICKER, query_string={"q": "shanghai"}).get_json()["results"] == []
    assert client.get(PICKER, query_string={"q": "harbour"}).get_json()["results"] == [
        {"id": ids["s1b"], "text": "Blue Harbour Trading"}]


def test_picker_needs_a_login(world):
    app, _ = world
    resp = app.test_client().get(PICKER, query_string={"q": "acme"})
    assert resp.status_code in (302, 401)
    assert "Acme" not in resp.get_data(as_text=True)


def test_picker_answers_at_most_twenty(world):
    app, _ = world
    with app.app_context():
        from addons.contacts.models import Company

        db.session.add_all(Company(name=f"Zeta {n:02d}") for n in range(30))
        db.session.commit()
    client = app.test_client()
    login(client, "boss")
    found = client.get(PICKER, query_string={"q": "zeta"}).get_json()["results"]
    assert [c["text"] for c in found] == [f"Zeta {n:02d}" for n in range(20)]


def test_create_and_edit_with_a_company_id(world):
    app, ids = world
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post("/personview/add",
                       data=person_form(token, name="Li Lei", company=str(ids["s1"])))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert people(app) == {"Li Lei": ids["s1"]}
    with app.app_context():
        from addons.contacts.models import Person

        person_id = db.session.scalar(select(Person.id))

    edit = client.get(f"/personview/edit/{person_id}").get_data(as_text=True)
    assert company_options(edit) == [("", ""), (str(ids["s1"]), "Acme Robotics")]
    assert re.search(rf'<option value="{ids["s1"]}" selected>', edit)
    assert "Blue Harbour Trading" not in edit

    resp = client.post(f"/personview/edit/{person_id}", data=person_form(
        csrf_token(edit), name="Li Lei", company=str(ids["s1b"]),
        owner=str(app.user_ids["s1"])))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert people(app) == {"Li Lei": ids["s1b"]}

    resp = client.post(f"/personview/edit/{person_id}", data=person_form(
        csrf_token(edit), name="Li Lei", company="",
        owner=str(app.user_ids["s1"])))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert people(app) == {"Li Lei": None}


@pytest.mark.parametrize("company", ["colleague", "missing", "junk"])
def test_company_the_user_cannot_read_is_a_field_error(world, company):
    app, ids = world
    value = {"colleague": str(ids["s2"]), "missing": "999999", "junk": "abc"}[company]
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post("/personview/add", data=person_form(token, name="Han Meimei",
                                                           company=value))
    assert resp.status_code == 200
    html = unescape(resp.get_data(as_text=True))
    assert "No such company, or you may not see it." in html
    assert "Acme Robotics Shanghai" not in html
    assert people_count(app) == 0

    # editing an existing person to a colleague's company is refused too
    resp = client.post("/personview/add", data=person_form(token, name="Han Meimei",
                                                           company=str(ids["s1"])))
    assert resp.status_code == 302
    with app.app_context():
        from addons.contacts.models import Person

        person_id = db.session.scalar(select(Person.id))
    resp = client.post(f"/personview/edit/{person_id}",
                       data=person_form(token, name="Han Meimei", company=value,
                                        owner=str(app.user_ids["s1"])))
    assert "No such company, or you may not see it." in unescape(resp.get_data(as_text=True))
    assert people(app) == {"Han Meimei": ids["s1"]}
