"""Contacts through the HTML forms and the REST API: creating with phones and
e-mails, and invalid input answered with a field error and nothing saved."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, company_form, install, login

pytestmark = pytest.mark.addons("contacts")


@pytest.fixture
def contacts_app(app):
    install(app, "contacts")
    app.sam_id = add_user(app, "sam", ["Salesperson"], "A")
    return app


def stored(app, model_name):
    with app.app_context():
        from addons.contacts import models

        model = getattr(models, model_name)
        return db.session.scalar(select(func.count()).select_from(model))


def test_company_created_through_the_form_keeps_typed_and_normalised_values(contacts_app):
    app = contacts_app
    client = app.test_client()
    token = login(client, "sam")
    resp = client.post("/companyview/add", data=company_form(
        token, name="华为技术", tax_id="91350100m000100y43", country_code="cn",
        phone_lines="mobile: 138 0013 8000\n+44 20 7946 0958",
        email_lines="Sales@Bücher.de\nhome: 用户@例子.广告"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        from addons.contacts.models import Company

        company = db.session.scalars(select(Company)).one()
        assert (company.tax_id, company.tax_id_normalised) == ("91350100m000100y43",
                                                               "91350100M000100Y43")
        assert company.country_code == "CN"
        assert [(p.kind, p.number, p.e164) for p in company.phones] == [
            ("mobile", "138 0013 8000", "+8613800138000"),
            ("work", "+44 20 7946 0958", "+442079460958")]
        assert [(e.kind, e.email, e.normalised) for e in company.emails] == [
            ("work", "Sales@Bücher.de", "sales@bücher.de"),
            ("home", "用户@例子.广告", "用户@例子.广告")]
        assert company.owner.username == "sam"
        company_id = company.id
    show = client.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    assert "138 0013 8000" in show and "用户@例子.广告" in show
    edit = client.get(f"/companyview/edit/{company_id}").get_data(as_text=True)
    assert "mobile: 138 0013 8000" in edit

    # editing replaces the channels all together
    resp = client.post(f"/companyview/edit/{company_id}", data=company_form(
        token, name="华为技术", phone_lines="010 6552 9988", email_lines="",
        owner=str(app.sam_id)))
    assert resp.status_code == 302
    with app.app_context():
        from addons.contacts.models import Company

        company = db.session.get(Company, company_id)
        assert [p.e164 for p in company.phones] == ["+861065529988"]
        assert company.emails == []
    assert stored(app, "ContactPhone") == 1


@pytest.mark.parametrize("field, value, message", [
    ("tax_id", "91350100M000100Y44", "not a valid unified social credit code"),
    ("tax_id", "DE136695977", "not a valid EU VAT number"),
    ("phone_lines", "mobile: 123", "line 1: '123' is not a valid phone number"),
    ("email_lines", "ok@example.com\nnot-an-address", "line 2:"),
])
def test_invalid_form_input_shows_the_field_error_and_saves_nothing(contacts_app, field,
                                                                     value, message):
    app = contacts_app
    client = app.test_client()
    token = login(client, "sam")
    resp = client.post("/companyview/add", data=company_form(token, name="Bad", **{field: value}))
    assert resp.status_code == 200
    html = unescape(resp.get_data(as_text=True))
    assert re.search(r'class="alert alert-danger">\s*[^<]*' + re.escape(message), html), html
    assert stored(app, "Company") == 0
    assert stored(app, "ContactPhone") == 0 and stored(app, "ContactEmail") == 0


def test_person_created_through_the_form_links_to_its_company(contacts_app):
    app = contacts_app
    client = app.test_client()
    token = login(client, "sam")
    assert client.post("/companyview/add", data=company_form(token, name="Acme")).status_code == 302
    with app.app_context():
        from addons.contacts.models import Company

        company_id = db.session.scalar(select(Company.id))
    form = company_form(token, name="李雷", company=str(company_id), job_title="采购经理",
                        phone_lines="13800138000")
    del form["tax_id"]
    assert client.post("/personview/add", data=form).status_code == 302
    people = client.get("/personview/list/").get_data(as_text=True)
    assert f'href="/companyview/show/{company_id}"' in people
    company_page = client.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    assert "李雷" in company_page  # the company's people, as a related list


def test_rest_create_with_nested_channels_and_invalid_fields_named(contacts_app):
    app = contacts_app
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    resp = client.post("/api/v1/company/", headers=headers, json={
        "name": "Bücher GmbH", "tax_id": "DE 136 695 976", "country_code": "de",
        "phones": [{"kind": "office", "number": "+49 30 901820"}],
        "emails": [{"kind": "work", "email": "Info@Bücher.de"}]})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    company_id = resp.get_json()["id"]
    shown = client.get(f"/api/v1/company/{company_id}", headers=headers).get_json()["result"]
    assert shown["tax_id_normalised"] == "DE136695976"
    assert shown["phones"] == [{"kind": "office", "number": "+49 30 901820",
                                "e164": "+4930901820"}]
    assert shown["emails"][0]["normalised"] == "info@bücher.de"

    listed = client.get("/api/v1/company/?q=(filters:!((col:tax_id_normalised,opr:eq,"
                        "value:DE136695976)))", headers=headers).get_json()
    assert listed["count"] == 1

    for body, field in [
        ({"name": "X", "tax_id": "91350100M000100Y44"}, "tax_id"),
        ({"name": "X", "phones": [{"kind": "m", "number": "123"}]}, "phones"),
        ({"name": "X", "emails": [{"kind": "w", "email": "nope"}]}, "emails"),
    ]:
        resp = client.post("/api/v1/company/", headers=headers, json=body)
        assert resp.status_code in (400, 422), resp.get_data(as_text=True)
        assert field in resp.get_json()["message"], resp.get_json()
    resp = client.put(f"/api/v1/company/{company_id}", headers=headers,
                      json={"tax_id": "DE136695977"})
    assert resp.status_code == 422 and "tax_id" in resp.get_json()["message"]
    assert stored(app, "Company") == 1 and stored(app, "ContactPhone") == 1
    shown = client.get(f"/api/v1/company/{company_id}", headers=headers).get_json()["result"]
    assert shown["tax_id_normalised"] == "DE136695976"
