"""An addon extends another addon's model and screens (tests/addons/visits adds
two fields, a fieldset, a panel, an action and a list column to contacts'
Company): present on every path while installed, gone everywhere (and no SQL
error) once disabled or uninstalled."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.addons import lifecycle
from core.db import db
from core.security.audit import AuditLog
from tests.helpers import add_user, api_token, company_form, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")


def company_id(app, name):
    from addons.contacts.models import Company

    with app.app_context():
        return db.session.scalar(select(Company.id).where(Company.name == name))


def db_columns(app) -> set[str]:
    with app.app_context():
        return {c["name"] for c in sa_inspect(db.engine).get_columns("contacts_company")}


def export(client) -> dict:
    resp = client.get("/companyview/export/csv")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    resp.close()  # the stream's session closes with it (PostgreSQL's DROP COLUMN waits otherwise)
    return {dict(zip(rows[0], r))["Name"]: dict(zip(rows[0], r)) for r in rows[1:]}


def audit_changes(app, record_id) -> list[dict]:
    with app.app_context():
        return [row.changes for row in db.session.scalars(
            select(AuditLog).where(AuditLog.model == "Company",
                                   AuditLog.record_id == str(record_id)).order_by(AuditLog.id))]


def uninstall(app, *names):
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        return lifecycle.uninstall(db.session, runtime, list(names),
                                   app.extensions["crossdock"].settings.instance_path / "bk")


def switch(app, verb, *names):
    with app.app_context():
        getattr(lifecycle, verb)(db.session, app.extensions["crossdock"].runtime, list(names))


def company_screens_work(client, pk) -> dict[str, str]:
    """Every company screen answers 200 without the visit fields anywhere."""
    pages = {}
    for what, url in (("list", "/companyview/list/"), ("show", f"/companyview/show/{pk}"),
                      ("add", "/companyview/add"), ("edit", f"/companyview/edit/{pk}")):
        resp = client.get(url)
        assert resp.status_code == 200, (what, resp.get_data(as_text=True)[:500])
        # the history keeps past changes of the fields: the log is append-only
        pages[what] = resp.get_data(as_text=True).split('id="record-history"')[0]
    return pages


@pytest.fixture
def world(app):
    install(app, "contacts")
    add_user(app, "ada", ["Admin"])
    app.sam_id = add_user(app, "sam", ["Salesperson"], "A")
    return app


def test_fields_panel_and_column_while_installed_then_gone(world):
    app = world
    client = app.test_client()
    token = login(client, "sam")
    assert 'name="visit_count"' not in client.get("/companyview/add").get_data(as_text=True)
    # created while the addon is not installed: its columns do not exist yet
    resp = client.post("/companyview/add", data=company_form(token, name="Before"))
    assert resp.status_code == 302, [l for l in resp.get_data(as_text=True).splitlines() if "error" in l.lower() or "alert" in l.lower() or "help" in l.lower()][:20]
    before_id = company_id(app, "Before")
    assert "visit_count" not in db_columns(app)

    install(app, "visits")
    assert {"visit_count", "last_visit"} <= db_columns(app)
    add = client.get("/companyview/add").get_data(as_text=True)
    assert 'name="visit_count"' in add and 'name="last_visit"' in add
    assert "<legend>Visits</legend>" in add
    resp = client.post("/companyview/add", data=company_form(
        token, name="Acme", visit_count="4", last_visit="2026-11-23"))
    assert resp.status_code == 302, [l for l in resp.get_data(as_text=True).splitlines() if "error" in l.lower() or "alert" in l.lower() or "help" in l.lower()][:20]
    acme_id = company_id(app, "Acme")

    show = client.get(f"/companyview/show/{acme_id}").get_data(as_text=True)
    assert 'id="visits-panel"' in show and "4 visit(s), last on 2026-11-23" in show
    assert "Last visit" in show and "2026-11-23" in show  # the fieldset's panel
    assert "Plan a visit" in show and f"/companyview/edit/{acme_id}" in show
    assert 'id="timeline"' in show  # contacts' own panel, through the same slots
    assert show.index('id="timeline"') < show.index('id="visits-panel"')  # by order
    edit = client.get(f"/companyview/edit/{acme_id}").get_data(as_text=True)
    assert 'value="4"' in edit and 'value="2026-11-23"' in edit
    listed = client.get("/companyview/list/").get_data(as_text=True)
    assert re.search(r">Visits\s*<", listed)  # a sort link's label (the column sorts)
    with app.app_context():  # loaded under an alias too (FAB joins related rows so)
        from addons.contacts.models import Company, Person

        alias = aliased(Company)
        db.session.add(Person(name="Pia", company_id=acme_id))
        db.session.commit()
        row = db.session.execute(select(Person, alias).outerjoin(alias, Person.company)
                                 .where(Person.name == "Pia")).one()
        assert "visit_count" in sa_inspect(row[1]).dict and row[1].visit_count == 4
    resp = client.post(f"/companyview/edit/{acme_id}", data=company_form(
        csrf_token(edit), name="Acme", visit_count="5", last_visit="2026-11-24",
        owner=str(app.sam_id)))
    assert resp.status_code == 302, [l for l in resp.get_data(as_text=True).splitlines() if "error" in l.lower() or "alert" in l.lower() or "help" in l.lower()][:20]

    rows = export(client)
    assert rows["Acme"]["Visits"] == "5" and rows["Acme"]["Last visit"] == "2026-11-24"
    assert rows["Before"]["Visits"] == ""
    created, updated = audit_changes(app, acme_id)[:2]
    assert created["visit_count"] == [None, 4]
    assert updated["visit_count"] == [4, 5] and updated["last_visit"] == ["2026-11-23",
                                                                         "2026-11-24"]

    # REST: schema, spec, _info, POST, PUT, GET
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 'sam')}"}
    admin = {"Authorization": f"Bearer {api_token(api, 'ada')}"}
    info = api.get("/api/v1/company/_info", headers=headers).get_json()
    assert "visit_count" in {f["name"] for f in info["add_columns"]}
    spec = api.get("/api/v1/_openapi", headers=admin).get_json()
    props = spec["components"]["schemas"]["CompanyApi.post"]["properties"]
    assert {"visit_count", "last_visit"} <= set(props)
    resp = api.post("/api/v1/company/", headers=headers,
                    json={"name": "Rest Co", "visit_count": 2, "last_visit": "2026-10-01"})
    assert resp.status_code == 201, resp.get_json()
    rest_id = resp.get_json()["id"]
    resp = api.put(f"/api/v1/company/{rest_id}", headers=headers, json={"visit_count": 3})
    assert resp.status_code == 200, resp.get_json()
    got = api.get(f"/api/v1/company/{rest_id}", headers=headers).get_json()["result"]
    assert got["visit_count"] == 3 and got["last_visit"] == "2026-10-01"
    listed = api.get("/api/v1/company/", headers=headers).get_json()["result"]
    assert {r["name"]: r.get("visit_count") for r in listed}["Rest Co"] == 3
    # a company created while uninstalled still works, now with empty visit fields
    assert client.get(f"/companyview/show/{before_id}").status_code == 200

    # disabled: the columns stay, but no screen, schema or export shows them
    switch(app, "disable", "visits")
    pages = company_screens_work(client, acme_id)
    for page in pages.values():
        assert "visit_count" not in page and 'id="visits-panel"' not in page
        assert "Plan a visit" not in page
    assert "Visits" not in export(client)["Acme"]
    assert "visit_count" not in api.get(f"/api/v1/company/{rest_id}",
                                        headers=headers).get_json()["result"]
    switch(app, "enable", "visits")
    assert 'value="5"' in client.get(f"/companyview/edit/{acme_id}").get_data(as_text=True)

    # uninstalled: the branch's downgrade drops the columns; every path still works
    assert uninstall(app, "visits")[0] == ["visits"]
    assert not {"visit_count", "last_visit"} & db_columns(app)
    pages = company_screens_work(client, acme_id)
    assert 'name="visit_count"' not in pages["add"] and 'id="visits-panel"' not in pages["show"]
    assert 'id="timeline"' in pages["show"]
    edit = pages["edit"]
    resp = client.post(f"/companyview/edit/{acme_id}", data=company_form(
        csrf_token(edit), name="Acme Ltd", owner=str(app.sam_id)))
    assert resp.status_code == 302
    resp = client.post("/companyview/add", data=company_form(token, name="After"))
    assert resp.status_code == 302
    assert "Visits" not in export(client)["Acme Ltd"]
    assert "visit_count" not in audit_changes(app, acme_id)[-1]
    spec = api.get("/api/v1/_openapi", headers=admin).get_json()
    assert "visit_count" not in spec["components"]["schemas"]["CompanyApi.post"]["properties"]
    resp = api.post("/api/v1/company/", headers=headers, json={"name": "Rest 2"})
    assert resp.status_code == 201, resp.get_json()
    resp = api.post("/api/v1/company/", headers=headers, json={"name": "R3", "visit_count": 1})
    assert resp.status_code == 422  # an unknown field now
    with app.app_context():
        from addons.contacts.models import Company
        db.session.get(Company, acme_id).name = "Acme Group"  # and plain ORM writes
        db.session.commit()
    assert company_id(app, "Acme Group") == acme_id


def test_extension_of_a_mounted_but_uninstalled_addon_touches_nothing(world):
    """The visits addon is mounted in every test app: contacts alone must never see it."""
    from addons.contacts.models import Company

    app = world
    with app.app_context():
        company = Company(name="Solo")
        db.session.add(company)
        db.session.commit()
        company.city = "Ulm"
        db.session.commit()
        assert db.session.get(Company, company.id).city == "Ulm"
        db.session.delete(company)
        db.session.commit()
    changes = audit_changes(app, company.id)
    assert [sorted(c) for c in changes if "visit_count" in c] == []
