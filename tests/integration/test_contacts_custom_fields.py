"""Custom fields end to end: an admin defines fields on companies and people;
they appear in forms, show pages, lists, filters and the REST API; bad values
are field errors with nothing saved; removal is confirmed and audited; record
rules cover the values on every path."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import prison
import pytest
from sqlalchemy import func, select

from core.db import db
from core.security.audit import AuditLog
from tests.helpers import add_user, api_token, company_form, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")

FIELDS = [  # key, type, extra
    ("segment", "text", {}),
    ("employees", "number", {}),
    ("since", "date", {}),
    ("size", "choice", {"choices": "Small\nMedium\nLarge"}),
    ("vip", "boolean", {}),
    ("manager", "user", {}),
]


@pytest.fixture
def contacts_app(app):
    install(app, "contacts")
    app.admin_id = add_user(app, "ada", ["Admin"])
    app.sam_id = add_user(app, "sam", ["Salesperson"], "A")
    app.sue_id = add_user(app, "sue", ["Salesperson"], "A")
    return app


def define(app, kind="company", **overrides):
    """Fields of every type, as the admin screen stores them."""
    with app.app_context():
        from addons.contacts.models import CustomField

        for n, (key, field_type, extra) in enumerate(FIELDS):
            values = dict(applies_to=kind, key=key, label=key.title(), field_type=field_type,
                          sequence=n, show_in_list=key in ("segment", "vip"), **extra)
            values.update(overrides.get(key, {}))
            db.session.add(CustomField(**values))
        db.session.commit()


def custom_value_count(app) -> int:
    with app.app_context():
        from addons.contacts.models import CustomValue

        return db.session.scalar(select(func.count()).select_from(CustomValue))


def test_service_stores_reads_and_removes_values(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import (fields_for, set_values,
                                                                   values_for, values_of)

        assert [f.key for f in fields_for(db.session, "company")] == [k for k, _, _ in FIELDS]
        assert fields_for(db.session, "person") == []
        acme = Company(name="Acme")
        db.session.add(acme)
        set_values(db.session, acme, {"segment": " Retail ", "employees": "1.234,5",
                                      "since": "2026年11月23日", "size": "large", "vip": "是",
                                      "manager": "sam@example.com"})
        db.session.commit()
        expected = {"segment": "Retail", "employees": Decimal("1234.5"),
                    "since": dt.date(2026, 11, 23), "size": "Large", "vip": True,
                    "manager": "sam"}
        assert values_of(db.session, acme) == expected
        other = Company(name="Other")
        db.session.add(other)
        db.session.commit()
        assert values_for(db.session, "company", [acme.id, other.id]) == {acme.id: expected}
        set_values(db.session, acme, {"segment": None, "vip": "", "employees": 12})
        db.session.commit()
        assert values_of(db.session, acme) == {"employees": Decimal("12"),
                                               "since": dt.date(2026, 11, 23),
                                               "size": "Large", "manager": "sam"}
        acme_id = acme.id
    assert custom_value_count(app) == 4
    with app.app_context():
        from addons.contacts.models import Company

        db.session.delete(db.session.get(Company, acme_id))
        db.session.commit()
    assert custom_value_count(app) == 0  # the database cascades


def test_service_refuses_bad_and_missing_values(contacts_app):
    app = contacts_app
    define(app, segment={"required": True})
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import set_values
        from addons.contacts.rules.field_error import ContactFieldError

        acme = Company(name="Acme")
        db.session.add(acme)
        for values, key in [({"employees": "12"}, "segment"),
                            ({"segment": "x", "employees": "twelve"}, "employees"),
                            ({"segment": "x", "size": "Huge"}, "size"),
                            ({"segment": "x", "manager": "nobody"}, "manager"),
                            ({"segment": "x", "colour": "red"}, "colour")]:
            with pytest.raises(ContactFieldError) as err:
                set_values(db.session, acme, values)
            assert err.value.field == key
        db.session.rollback()
        # key, kind and type are fixed once the field exists, whoever tries
        from addons.contacts.models import CustomField

        size = db.session.scalars(select(CustomField).where(CustomField.key == "size")).one()
        for name, value in (("key", "format"), ("field_type", "text"), ("applies_to", "person")):
            with pytest.raises(ContactFieldError) as err:
                setattr(size, name, value)
            assert err.value.field == name
        size.label = "Company size"  # the rest may change
        db.session.commit()
    assert custom_value_count(app) == 0


def field_form(token, **fields):
    data = {"applies_to": "company", "key": "", "label": "", "field_type": "text",
            "choices": "", "sequence": "10", "active": "y", "csrf_token": token}
    data.update(fields)
    return data


def stored_fields(app):
    with app.app_context():
        from addons.contacts.models import CustomField

        return {(f.applies_to, f.key): (f.label, f.field_type, f.required)
                for f in db.session.scalars(select(CustomField))}


def test_admin_defines_fields_on_the_screen(contacts_app):
    app = contacts_app
    admin = app.test_client()
    token = login(admin, "ada")
    page = admin.get("/customfieldview/add").get_data(as_text=True)
    assert 'name="key"' in page and 'name="field_type"' in page
    for key, field_type, extra in FIELDS:
        resp = admin.post("/customfieldview/add", data=field_form(
            token, key=key, label=key.title(), field_type=field_type, **extra))
        assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = admin.post("/customfieldview/add", data=field_form(
        token, applies_to="person", key="vip", label="VIP", field_type="boolean",
        required="y"))
    assert resp.status_code == 302
    assert stored_fields(app)[("company", "size")] == ("Size", "choice", False)
    assert stored_fields(app)[("person", "vip")] == ("VIP", "boolean", True)

    before = stored_fields(app)
    for fields, error in [
        (dict(key="Bad Key", label="Bad"), "lower-case letters"),
        (dict(key="segment", label="Again"), "already uses"),
        (dict(key="level", label="Level", field_type="choice", choices=" \n"),
         "at least one choice"),
        (dict(key="", label="No key"), "This field is required"),
    ]:
        resp = admin.post("/customfieldview/add", data=field_form(token, **fields))
        assert resp.status_code == 200
        assert error in resp.get_data(as_text=True)
    assert stored_fields(app) == before

    # key and type are fixed once created: the edit form does not offer them
    with app.app_context():
        from addons.contacts.models import CustomField

        size_id = db.session.scalar(select(CustomField.id).where(CustomField.key == "size"))
    edit = admin.get(f"/customfieldview/edit/{size_id}").get_data(as_text=True)
    assert 'name="label"' in edit and 'name="key"' not in edit and 'name="field_type"' not in edit
    resp = admin.post(f"/customfieldview/edit/{size_id}", data={
        "label": "Company size", "choices": "Small\nLarge", "sequence": "3", "active": "y",
        "key": "renamed", "field_type": "text", "csrf_token": token})
    assert resp.status_code == 302
    assert stored_fields(app)[("company", "size")] == ("Company size", "choice", False)
    resp = admin.post(f"/customfieldview/edit/{size_id}", data={
        "label": "Company size", "choices": "", "sequence": "3", "active": "y",
        "csrf_token": token})
    assert "at least one choice" in resp.get_data(as_text=True)


def test_removal_is_confirmed_deletes_values_and_is_audited(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import Company, CustomField
        from addons.contacts.services.custom_fields.values import set_values

        for name in ("Acme", "Beta", "Gamma"):
            company = Company(name=name)
            db.session.add(company)
            set_values(db.session, company, {"segment": "Retail", "vip": "yes"})
        db.session.commit()
        segment_id = db.session.scalar(select(CustomField.id).where(CustomField.key == "segment"))
    assert custom_value_count(app) == 6
    admin = app.test_client()
    token = login(admin, "ada")

    # FAB's delete button leads to the confirmation page, deleting nothing
    resp = admin.post(f"/customfieldview/delete/{segment_id}", data={"csrf_token": token})
    assert resp.status_code == 302 and f"/customfieldview/remove/{segment_id}" in resp.location
    page = admin.get(f"/customfieldview/remove/{segment_id}").get_data(as_text=True)
    assert "3 values of this field will be deleted" in page
    assert custom_value_count(app) == 6
    # no CSRF token, no removal
    assert admin.post(f"/customfieldview/remove/{segment_id}").status_code == 400
    assert custom_value_count(app) == 6

    resp = admin.post(f"/customfieldview/remove/{segment_id}",
                      data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    assert ("company", "segment") not in stored_fields(app)
    assert custom_value_count(app) == 3  # the "vip" values stay
    with app.app_context():
        event = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "custom field removed")).one()
        assert event.actor == "ada" and event.record_id == str(segment_id)
        assert event.changes["key"] == "segment" and event.changes["values_deleted"] == 3
        assert db.session.scalars(select(AuditLog).where(
            AuditLog.model == "CustomField", AuditLog.action == "delete",
            AuditLog.record_id == str(segment_id))).one()


def test_only_admins_manage_fields(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import CustomField

        segment_id = db.session.scalar(select(CustomField.id).where(CustomField.key == "segment"))
    sam = app.test_client()
    token = login(sam, "sam")
    before = stored_fields(app)
    assert sam.get("/customfieldview/list/").status_code == 200  # may read the definitions
    for method, url, data in [
        ("get", "/customfieldview/add", None),
        ("post", "/customfieldview/add", field_form(token, key="mine", label="Mine")),
        ("get", f"/customfieldview/edit/{segment_id}", None),
        ("post", f"/customfieldview/edit/{segment_id}",
         {"label": "Hacked", "sequence": "1", "csrf_token": token}),
        ("get", f"/customfieldview/remove/{segment_id}", None),
        ("post", f"/customfieldview/remove/{segment_id}", {"csrf_token": token}),
        ("post", f"/customfieldview/delete/{segment_id}", {"csrf_token": token}),
    ]:
        resp = getattr(sam, method)(url, data=data)
        assert resp.status_code in (302, 403), (url, resp.status_code)
        assert "/customfieldview/" not in (resp.location or ""), url  # sent away, not on
    assert stored_fields(app) == before


def list_headers(html: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    return [text for text in (re.sub(r"<[^>]+>", "", cell).strip()
                              for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)) if text]


def list_rows(html: str) -> dict[str, list[str]]:
    """{name: the row's cells after the buttons} of a list page ({} when it has no rows)."""
    if "</thead>" not in html:
        assert "No records found" in html
        return {}
    body = html.split("</thead>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
                 if "btn-group" not in c and "action_check" not in c]
        if cells:
            rows[cells[0]] = cells
    return rows


def company_values(app, name):
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import values_of

        company = db.session.scalars(select(Company).where(Company.name == name)).one_or_none()
        return None if company is None else (company.id, values_of(db.session, company))


def test_fields_in_forms_show_page_and_list(contacts_app):
    app = contacts_app
    define(app, employees={"required": True})
    client = app.test_client()
    token = login(client, "sam")
    add = client.get("/companyview/add").get_data(as_text=True)
    for key, _type, _extra in FIELDS:
        assert f'name="custom_{key}"' in add, key
    assert '<option value="Medium">Medium</option>' in add
    assert 'type="checkbox"' in add and 'type="date"' in add

    resp = client.post("/companyview/add", data=company_form(
        token, name="Acme", custom_segment="Retail", custom_employees="1.234,5",
        custom_since="2026/11/23", custom_size="Large", custom_vip="y", custom_manager="sue"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    acme_id, values = company_values(app, "Acme")
    assert values == {"segment": "Retail", "employees": Decimal("1234.5"),
                      "since": dt.date(2026, 11, 23), "size": "Large", "vip": True,
                      "manager": "sue"}

    show = client.get(f"/companyview/show/{acme_id}").get_data(as_text=True)
    for shown in ("Segment", "Retail", "Employees", "1234.5", "2026-11-23", "Large", "sue"):
        assert shown in show, shown
    edit = client.get(f"/companyview/edit/{acme_id}").get_data(as_text=True)
    assert 'name="custom_employees" placeholder="Employees" required type="text" ' \
           'value="1234.5"' in edit or 'value="1234.5"' in edit
    assert 'value="2026-11-23"' in edit

    # editing: a cleared field loses its value, an unticked box too
    resp = client.post(f"/companyview/edit/{acme_id}", data=company_form(
        token, name="Acme", owner=str(app.sam_id), custom_segment="", custom_employees="12",
        custom_since="2026年1月5日", custom_size="Small", custom_manager=""))
    assert resp.status_code == 302
    assert company_values(app, "Acme")[1] == {"employees": Decimal("12"),
                                               "since": dt.date(2026, 1, 5), "size": "Small"}
    with app.app_context():  # audited on the contact itself, so its history shows it
        event = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "custom fields changed")).one()
        assert (event.model, event.record_id, event.actor) == ("Company", str(acme_id), "sam")
        assert event.changes["employees"] == ["1234.5", "12"]
        assert event.changes["segment"] == ["Retail", None]
    assert "Custom fields changed" in client.get(f"/companyview/show/{acme_id}").get_data(
        as_text=True)

    # list: the fields marked "show in list" are columns
    client.post(f"/companyview/edit/{acme_id}", data=company_form(
        token, name="Acme", owner=str(app.sam_id), custom_segment="Wholesale",
        custom_employees="12", custom_vip="y"))
    listing = client.get("/companyview/list/").get_data(as_text=True)
    headers = list_headers(listing)
    assert headers[-2:] == ["Segment", "Vip"]  # marked "show in list"; Employees is not
    assert list_rows(listing)["Acme"][-2:] == ["Wholesale", "Yes"]


def test_bad_and_missing_values_are_field_errors_with_nothing_saved(contacts_app):
    app = contacts_app
    define(app, segment={"required": True})
    client = app.test_client()
    token = login(client, "sam")
    for fields, error in [
        (dict(custom_employees="12"), "This field is required"),
        (dict(custom_segment="x", custom_employees="twelve"), "is not a number"),
        (dict(custom_segment="x", custom_since="31.12.2026"), "is not a date"),
        (dict(custom_segment="x", custom_size="Huge"), "Not a valid choice"),
        (dict(custom_segment="x", custom_manager="nobody"), "Not a valid choice"),
    ]:
        resp = client.post("/companyview/add", data=company_form(token, name="Acme", **fields))
        assert resp.status_code == 200, fields
        assert error in resp.get_data(as_text=True), fields
    assert company_values(app, "Acme") is None
    assert custom_value_count(app) == 0


def test_a_field_added_in_one_process_shows_in_another_without_restart(make_app):
    first = make_app()
    install(first, "contacts")
    add_user(first, "ada", ["Admin"])
    second = make_app()  # a second process on the same database, started before the field
    second_client = second.test_client()
    login(second_client, "ada")
    assert 'name="custom_region"' not in second_client.get("/companyview/add").get_data(
        as_text=True)
    admin = first.test_client()
    token = login(admin, "ada")
    assert admin.post("/customfieldview/add", data=field_form(
        token, key="region", label="Region", field_type="choice", choices="North\nSouth",
        show_in_list="y")).status_code == 302
    page = second_client.get("/companyview/add").get_data(as_text=True)
    assert 'name="custom_region"' in page and "South" in page
    token2 = csrf_token(page)
    resp = second_client.post("/companyview/add", data=company_form(
        token2, name="Acme", custom_region="South"))
    assert resp.status_code == 302
    assert "South" in second_client.get("/companyview/list/").get_data(as_text=True)
    assert "custom_region" in second_client.get("/companyview/list/").get_data(as_text=True)


def test_list_filters_on_custom_fields(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import set_values

        for name, values in [
            ("Acme", {"segment": "Retail shops", "employees": "120", "since": "2020-01-01",
                      "size": "Large", "vip": "yes", "manager": "sam"}),
            ("Beta", {"segment": "Wholesale", "employees": "8", "since": "2024-06-30",
                      "size": "Small", "vip": "no"}),
            ("Gamma", {}),
        ]:
            company = Company(name=name, owner_id=app.sam_id)
            db.session.add(company)
            set_values(db.session, company, values)
        db.session.commit()
    client = app.test_client()
    login(client, "sam")
    page = client.get("/companyview/list/").get_data(as_text=True)
    assert '"custom_segment"' in page and "Contains" in page  # offered in "Add filter"

    def names(query):
        return set(list_rows(client.get("/companyview/list/?" + query).get_data(as_text=True)))

    # the filter's index is its position among the column's operators (OPERATORS)
    assert names("_flt_0_custom_segment=retail") == {"Acme"}          # text contains
    assert names("_flt_1_custom_segment=wholesale") == {"Beta"}       # text equal
    assert names("_flt_1_custom_employees=10") == {"Acme"}            # number greater
    assert names("_flt_2_custom_employees=10,5") == {"Beta"}          # number smaller
    assert names("_flt_1_custom_since=2023-01-01") == {"Beta"}        # date after
    assert names("_flt_0_custom_size=Small") == {"Beta"}              # choice
    assert names("_flt_0_custom_vip=yes") == {"Acme"}                 # boolean
    assert names("_flt_0_custom_vip=no") == {"Beta", "Gamma"}         # no = not yes
    assert names("_flt_0_custom_manager=sam") == {"Acme"}             # user
    assert names("_flt_0_custom_employees=lots") == set()             # does not parse


def rison_filter(col, opr, value) -> str:
    return "/api/v1/company/?q=" + prison.dumps({"filters": [{"col": col, "opr": opr,
                                                              "value": value}]})


def test_rest_show_list_post_put_and_filter(contacts_app):
    app = contacts_app
    define(app, segment={"required": True})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    resp = client.post("/api/v1/company/", headers=headers, json={
        "name": "Acme", "custom": {"segment": "Retail", "employees": "1.234,5",
                                   "since": "2026年11月23日", "size": "large", "vip": True,
                                   "manager": "sue@example.com"}})
    assert resp.status_code == 201, resp.get_json()
    acme_id = resp.get_json()["id"]
    expected = {"segment": "Retail", "employees": 1234.5, "since": "2026-11-23",
                "size": "Large", "vip": True, "manager": "sue"}
    assert resp.get_json()["result"]["custom"] == expected
    shown = client.get(f"/api/v1/company/{acme_id}", headers=headers).get_json()
    assert shown["result"]["custom"] == expected

    resp = client.put(f"/api/v1/company/{acme_id}", headers=headers,
                      json={"custom": {"employees": 12, "vip": None}})
    assert resp.status_code == 200, resp.get_json()
    expected.update(employees=12)
    del expected["vip"]
    assert resp.get_json()["result"]["custom"] == expected
    # a PUT without "custom" keeps the values
    assert client.put(f"/api/v1/company/{acme_id}", headers=headers,
                      json={"city": "Hangzhou"}).status_code == 200
    resp = client.post("/api/v1/company/", headers=headers, json={
        "name": "Beta", "custom": {"segment": "Wholesale", "employees": 5}})
    assert resp.status_code == 201
    listed = client.get("/api/v1/company/", headers=headers).get_json()["result"]
    assert {r["name"]: r["custom"] for r in listed} == {
        "Acme": expected, "Beta": {"segment": "Wholesale", "employees": 5}}

    def names(col, opr, value):
        resp = client.get(rison_filter(col, opr, value), headers=headers)
        assert resp.status_code == 200, resp.get_json()
        return {r["name"] for r in resp.get_json()["result"]}

    assert names("custom_segment", "custom_eq", "retail") == {"Acme"}
    assert names("custom_segment", "custom_ct", "sale") == {"Beta"}
    assert names("custom_employees", "custom_gt", 10) == {"Acme"}
    assert names("custom_employees", "custom_lt", "10") == {"Beta"}
    assert names("custom_since", "custom_eq", "2026-11-23") == {"Acme"}
    assert names("custom_manager", "custom_eq", "sue") == {"Acme"}
    assert names("custom_vip", "custom_eq", "no") == {"Acme", "Beta"}
    for col, opr, value in [("custom_employees", "custom_gt", "lots"),
                            ("custom_segment", "custom_gt", "x"),
                            ("custom_colour", "custom_eq", "red")]:
        resp = client.get(rison_filter(col, opr, value), headers=headers)
        assert resp.status_code == 400, (col, opr, value)
        assert col in resp.get_json()["message"]
    info = client.get("/api/v1/company/_info?q=(keys:!(filters))", headers=headers).get_json()
    assert [f["operator"] for f in info["filters"]["custom_employees"]] == [
        "custom_eq", "custom_gt", "custom_lt"]
    admin = {"Authorization": f"Bearer {api_token(client, 'ada')}"}
    spec = client.get("/api/v1/_openapi", headers=admin).get_json()
    for schema in ("CompanyApi.post", "CompanyApi.put", "CompanyApi.get", "PersonApi.get_list"):
        assert spec["components"]["schemas"][schema]["properties"]["custom"]["type"] == "object"
    assert "custom_<key>" in spec["paths"]["/api/v1/company/"]["get"]["description"]

    # bad, unknown and missing required values: 422 naming the key, nothing saved
    before = custom_value_count(app)
    for body, key in [
        ({"name": "Gamma", "custom": {"employees": 3}}, "segment"),
        ({"name": "Gamma", "custom": {"segment": "x", "employees": "three"}}, "employees"),
        ({"name": "Gamma", "custom": {"segment": "x", "since": "tomorrow"}}, "since"),
        ({"name": "Gamma", "custom": {"segment": "x", "size": "Huge"}}, "size"),
        ({"name": "Gamma", "custom": {"segment": "x", "manager": "nobody"}}, "manager"),
        ({"name": "Gamma", "custom": {"segment": "x", "colour": "red"}}, "colour"),
        ({"name": "Gamma"}, "segment"),
    ]:
        resp = client.post("/api/v1/company/", headers=headers, json=body)
        assert resp.status_code == 422, body
        assert key in resp.get_json()["errors"]["custom"], resp.get_json()
    resp = client.put(f"/api/v1/company/{acme_id}", headers=headers,
                      json={"name": "Renamed", "custom": {"segment": None}})
    assert resp.status_code == 422 and "segment" in resp.get_json()["errors"]["custom"]
    assert company_values(app, "Gamma") is None and company_values(app, "Renamed") is None
    assert custom_value_count(app) == before


def test_a_colleagues_custom_values_stay_hidden_on_every_path(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import set_values

        secret = Company(name="Sue's secret", owner_id=app.sue_id)
        mine = Company(name="Sam's own", owner_id=app.sam_id)
        db.session.add_all([secret, mine])
        set_values(db.session, secret, {"segment": "Top secret deal", "vip": "yes"})
        set_values(db.session, mine, {"segment": "Ordinary"})
        db.session.commit()
        secret_id = secret.id
    client = app.test_client()
    token = login(client, "sam")
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    # REST: list, filters on the colleague's value, show, put
    listed = client.get("/api/v1/company/", headers=headers).get_json()
    assert [r["name"] for r in listed["result"]] == ["Sam's own"]
    for col, opr, value in [("custom_segment", "custom_ct", "secret"),
                            ("custom_vip", "custom_eq", "yes")]:
        resp = client.get(rison_filter(col, opr, value), headers=headers).get_json()
        assert resp["count"] == 0 and resp["result"] == []
    assert client.get(f"/api/v1/company/{secret_id}", headers=headers).status_code == 404
    assert client.put(f"/api/v1/company/{secret_id}", headers=headers,
                      json={"custom": {"segment": "mine now"}}).status_code == 404
    # screens: list, filter, show, edit
    for url in ("/companyview/list/", "/companyview/list/?_flt_0_custom_segment=secret"):
        assert "Top secret" not in client.get(url).get_data(as_text=True)
    assert client.get(f"/companyview/show/{secret_id}").status_code == 404
    assert client.get(f"/companyview/edit/{secret_id}").status_code == 404
    assert client.post(f"/companyview/edit/{secret_id}", data=company_form(
        token, name="x", custom_segment="mine now")).status_code == 404
    assert company_values(app, "Sue's secret")[1]["segment"] == "Top secret deal"
    # the service refuses the write too: the values' write is the contact's write
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields.values import set_values
        from core.security.actor import Actor, acting_as

        with acting_as(Actor(app.sam_id, "sam", frozenset({"Salesperson"}))):
            secret = db.session.get(Company, secret_id, execution_options={
                "skip_record_rules": True})
            set_values(db.session, secret, {"segment": "mine now"})
            with pytest.raises(PermissionError):
                db.session.flush()
        db.session.rollback()
    assert company_values(app, "Sue's secret")[1]["segment"] == "Top secret deal"


def test_people_have_their_own_fields(contacts_app):
    app = contacts_app
    define(app, kind="person")
    with app.app_context():
        from addons.contacts.models import Company, CustomField

        db.session.add(CustomField(applies_to="company", key="segment", label="Segment",
                                   field_type="text"))
        db.session.add(Company(name="Acme", owner_id=app.sam_id))
        db.session.commit()
        acme_id = db.session.scalar(select(Company.id))
    client = app.test_client()
    token = login(client, "sam")
    form = company_form(token, name="李雷", company=str(acme_id), job_title="采购经理",
                        custom_segment="Buyer", custom_vip="y", custom_since="2026年11月23日")
    del form["tax_id"]
    assert client.post("/personview/add", data=form).status_code == 302
    # the company's page lists its people with the people's list columns
    company_page = client.get(f"/companyview/show/{acme_id}").get_data(as_text=True)
    assert "李雷" in company_page and "Buyer" in company_page
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    people = client.get("/api/v1/person/", headers=headers).get_json()["result"]
    assert [p["custom"] for p in people] == [{"segment": "Buyer", "vip": True,
                                              "since": "2026-11-23"}]
    resp = client.get("/api/v1/person/?q=" + prison.dumps({"filters": [
        {"col": "custom_since", "opr": "custom_lt", "value": "2026-12-01"}]}), headers=headers)
    assert resp.get_json()["count"] == 1
    # a field switched off disappears from forms and answers; its values stay stored
    with app.app_context():
        from addons.contacts.models import CustomField

        db.session.scalars(select(CustomField).where(CustomField.applies_to == "person",
                                                     CustomField.key == "vip")).one().active = False
        db.session.commit()
    assert 'name="custom_vip"' not in client.get("/personview/add").get_data(as_text=True)
    people = client.get("/api/v1/person/", headers=headers).get_json()["result"]
    assert people[0]["custom"] == {"segment": "Buyer", "since": "2026-11-23"}
    assert custom_value_count(app) == 3
