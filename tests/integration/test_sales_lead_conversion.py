"""Lead -> opportunity conversion: the candidate customers come from the
contacts duplicate detection (a colleague's contact shown by name and owner
only), the user links one or creates new contacts through the contacts
models, all in one audited transaction, with a timeline entry on the contact.
s1 is in team A, s3 in team B."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def world(app):
    install(app, "sales")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s3": add_user(app, "s3", ["Salesperson"], "B")}
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail
        from addons.sales.models import Lead

        acme = Company(name="Acme Trading", owner_id=users["s1"],
                       emails=[ContactEmail(kind="work", email="info@acme-trading.cn")])
        globex = Company(name="Globex Shanghai", owner_id=users["s3"],
                         emails=[ContactEmail(kind="work", email="buy@globex.cn")])
        leads = {
            "acme": Lead(name="Acme wants 50 units", email="INFO@acme-trading.cn",
                         company_name="Acme", owner_id=users["s1"]),
            "new": Lead(name="Newco enquiry", company_name="Newco Ltd", contact_name="Li Lei",
                        email="li.lei@newco.cn", phone="138 0013 8000", owner_id=users["s1"]),
            "globex": Lead(name="Globex tender", email="buy@globex.cn",
                           owner_id=users["s1"]),
        }
        db.session.add_all([acme, globex, *leads.values()])
        db.session.commit()
        ids = {k: v.id for k, v in leads.items()}
        ids.update(acme=acme.id, globex_company=globex.id)
    return app, users, ids


def lead_of(app, pk):
    with app.app_context():
        from addons.sales.models import Lead

        lead = db.session.get(Lead, pk)
        return {"type": lead.type, "company": lead.company.name if lead.company else None,
                "person": lead.person.name if lead.person else None,
                "converted_at": lead.converted_at, "stage": lead.stage.name}


def counts(app):
    with app.app_context():
        from addons.contacts.models import Company, Person

        return (db.session.scalar(select(func.count(Company.id))),
                db.session.scalar(select(func.count(Person.id))))


def audit_actions(app, pk):
    with app.app_context():
        from core.security.audit import AuditLog

        return [(e.action, e.changes) for e in db.session.scalars(
            select(AuditLog).where(AuditLog.model == "Lead", AuditLog.record_id == str(pk))
            .order_by(AuditLog.id))]


def timeline_subjects(app, company_id=None, person_id=None):
    with app.app_context():
        from addons.contacts.models.timeline_entry import TimelineEntry

        stmt = select(TimelineEntry.subject)
        stmt = stmt.where(TimelineEntry.company_id == company_id) if company_id else \
            stmt.where(TimelineEntry.person_id == person_id)
        return list(db.session.scalars(stmt))


def test_link_an_existing_company_found_by_email(world):
    app, _, ids = world
    client = app.test_client()
    token = login(client, "s1")
    pk = ids["acme"]
    show = client.get(f"/leadview/show/{pk}").get_data(as_text=True)
    assert f'href="/leadview/convert/{pk}"' in show
    page = client.get(f"/leadview/convert/{pk}").get_data(as_text=True)
    assert f'value="link:{ids["acme"]}"' in page and "Acme Trading" in page
    before = counts(app)
    resp = client.post(f"/leadview/convert/{pk}", data={"company": f"link:{ids['acme']}",
                                                        "person": "", "csrf_token": token})
    assert resp.status_code == 302 and f"/opportunityview/show/{pk}" in resp.headers["Location"]
    row = lead_of(app, pk)
    assert (row["type"], row["company"], row["person"]) == ("opportunity", "Acme Trading", None)
    assert row["converted_at"] is not None and row["stage"] == "New"  # same row, same stage
    assert counts(app) == before
    convert = [c for a, c in audit_actions(app, pk) if a == "convert"]
    assert convert == [{"company": {"id": ids["acme"], "created": False}, "person": None}]
    assert timeline_subjects(app, company_id=ids["acme"]) == ["Opportunity: Acme wants 50 units"]
    assert client.get(f"/opportunityview/show/{pk}").status_code == 200
    assert client.get(f"/leadview/show/{pk}").status_code == 404  # no longer a lead
    # a second conversion is refused: it is an opportunity now
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    resp = rest.post(f"/api/v1/lead/{pk}/convert", headers=headers,
                     json={"company_id": ids["acme"]})
    assert resp.status_code == 409 and "already an opportunity" in resp.get_json()["message"]


def test_create_new_company_and_person_with_the_contacts_rules(world):
    app, users, ids = world
    client = app.test_client()
    token = login(client, "s1")
    pk = ids["new"]
    page = client.get(f"/leadview/convert/{pk}").get_data(as_text=True)
    assert "Newco Ltd" in page and "Li Lei" in page and "link:" not in page
    before = counts(app)
    resp = client.post(f"/leadview/convert/{pk}", data={"company": "new", "person": "new",
                                                        "csrf_token": token})
    assert resp.status_code == 302
    assert counts(app) == (before[0] + 1, before[1] + 1)
    with app.app_context():
        from addons.contacts.models import Person
        from addons.sales.models import Lead

        lead = db.session.get(Lead, pk)
        person = db.session.get(Person, lead.person_id)
        assert lead.type == "opportunity" and person.company.name == "Newco Ltd"
        assert [e.normalised for e in person.emails] == ["li.lei@newco.cn"]
        assert [p.e164 for p in person.phones] == ["+8613800138000"]  # normalised by contacts
        assert person.owner_id == users["s1"] and lead.company.owner_id == users["s1"]
        company_id, person_id = lead.company_id, person.id
    assert timeline_subjects(app, company_id=company_id) == ["Opportunity: Newco enquiry"]
    assert timeline_subjects(app, person_id=person_id) == ["Opportunity: Newco enquiry"]
    created = [c for a, c in audit_actions(app, pk) if a == "convert"][0]
    assert created["company"]["created"] and created["person"]["created"]
    # the new company is found by the contacts search, as any other
    assert "Newco Ltd" in client.get("/companyview/list/?_flt_0_name=Newco").get_data(as_text=True)


def test_create_over_rest_and_block_policy_refuses_a_duplicate(world):
    app, _, ids = world
    with app.app_context():
        from addons.contacts.services.duplicates.policy import set_policy

        set_policy(db.session, "block")
        db.session.commit()
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    before = counts(app)
    resp = rest.post(f"/api/v1/lead/{ids['acme']}/convert", headers=headers,
                     json={"create_company": True})
    assert resp.status_code == 400
    assert "already used by another contact" in resp.get_json()["message"]
    assert "Acme Trading (owner: s1)" in resp.get_json()["message"]
    assert counts(app) == before and lead_of(app, ids["acme"])["type"] == "lead"
    resp = rest.post(f"/api/v1/lead/{ids['new']}/convert", headers=headers,
                     json={"create_company": True, "company_id": ids["acme"]})
    assert resp.status_code == 400 and "not both" in resp.get_json()["message"]
    resp = rest.post(f"/api/v1/lead/{ids['new']}/convert", headers=headers, json={})
    assert resp.status_code == 400 and "choose a customer" in resp.get_json()["message"]
    resp = rest.post(f"/api/v1/lead/{ids['new']}/convert", headers=headers,
                     json={"create_company": True})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()["result"]
    assert body["type"] == "opportunity" and body["company"]["name"] == "Newco Ltd"
    assert body["converted_at"] is not None
    assert counts(app) == (before[0] + 1, before[1])


def test_a_colleagues_contact_is_shown_by_name_and_owner_only(world):
    app, _, ids = world
    client = app.test_client()
    token = login(client, "s1")
    pk = ids["globex"]
    page = client.get(f"/leadview/convert/{pk}").get_data(as_text=True)
    assert "Globex Shanghai (owner: s3)" in page
    assert f"link:{ids['globex_company']}" not in page
    assert f"/companyview/show/{ids['globex_company']}" not in page
    rest = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(rest, 's1')}"}
    found = rest.get(f"/api/v1/lead/{pk}/convert", headers=headers).get_json()
    assert found["companies"] == [{"kind": "company", "name": "Globex Shanghai", "owner": "s3",
                                   "matched_on": "email", "value": "buy@globex.cn",
                                   "visible": False}]
    before = counts(app)
    resp = client.post(f"/leadview/convert/{pk}", data={
        "company": f"link:{ids['globex_company']}", "csrf_token": token})
    assert resp.status_code == 400
    assert "no such company" in re.sub(r"\s+", " ", resp.get_data(as_text=True))
    assert lead_of(app, pk)["type"] == "lead" and lead_of(app, pk)["company"] is None
    assert counts(app) == before
    assert not [a for a, _ in audit_actions(app, pk) if a == "convert"]
    # s3 cannot convert s1's lead at all
    other = app.test_client()
    other_headers = {"Authorization": f"Bearer {api_token(other, 's3')}"}
    assert other.post(f"/api/v1/lead/{pk}/convert", headers=other_headers,
                      json={"company_id": ids["globex_company"]}).status_code == 404
