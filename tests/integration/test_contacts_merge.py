"""Merging duplicate contacts: chosen values, phones/e-mails/tags unioned, every
reference moved (another addon's table included), one audit event, all or
nothing, and only for contacts the user may write."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.security.actor import Actor, acting_as
from core.security.audit import AuditLog
from tests.helpers import add_user, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts", "example_contact_links")


@pytest.fixture
def world(app):
    install(app, "contacts", "example_contact_links")
    users = {"sam": add_user(app, "sam", ["Salesperson"], "A"),
             "kim": add_user(app, "kim", ["Salesperson"], "B"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A")}
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, ContactPhone, Person, Tag
        from addons.contacts.models.custom_field import CustomField
        from addons.contacts.services.custom_fields import values as custom_fields
        from example_contact_links.models import ContactVisit

        vip, new = Tag(name="vip"), Tag(name="new")
        a = Company(name="Acme Co., Ltd.", city="Beijing", website="acme.cn",
                    owner_id=users["sam"], tags=[vip],
                    phones=[ContactPhone(kind="work", number="+86 138 0013 8000")],
                    emails=[ContactEmail(kind="work", email="a@acme.cn")])
        b = Company(name="ACME Ltd", city="Shanghai", industry="Retail", owner_id=users["sam"],
                    tags=[vip, new],
                    phones=[ContactPhone(kind="mobile", number="13800138000"),
                            ContactPhone(kind="work", number="13900139000")],
                    emails=[ContactEmail(kind="work", email="b@acme.cn"),
                            ContactEmail(kind="home", email="A@ACME.cn")])
        kims = Company(name="Acme (kim)", owner_id=users["kim"])
        db.session.add_all([a, b, kims])
        db.session.flush()
        ann = Person(name="Ann", company_id=b.id, owner_id=users["kim"])
        ann2 = Person(name="Ann Lee", company_id=a.id, owner_id=users["sam"],
                      phones=[ContactPhone(number="13700137000")])
        db.session.add_all([ann, ann2, CustomField(applies_to="company", key="region",
                                                   label="Region", field_type="text")])
        db.session.flush()
        custom_fields.set_values(db.session, a, {"region": "North"})
        custom_fields.set_values(db.session, b, {"region": "South"})
        db.session.add_all([
            ContactVisit(day="2026-01-01", company_id=a.id),
            ContactVisit(day="2026-01-01", company_id=b.id, person_id=ann.id),  # same day
            ContactVisit(day="2026-01-02", company_id=b.id, person_id=ann.id),
        ])
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "kim": kims.id, "ann": ann.id, "ann2": ann2.id}
    return app, users, ids


def snapshot(app):
    """Everything a merge touches, as plain values."""
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, ContactPhone, Person
        from addons.contacts.services.custom_fields import values as custom_fields
        from example_contact_links.models import ContactVisit

        db.session.expire_all()
        return {
            "companies": sorted((c.id, c.name, c.city, c.industry, sorted(t.name for t in c.tags))
                                for c in db.session.scalars(select(Company))),
            "people": sorted((p.id, p.company_id) for p in db.session.scalars(select(Person))),
            "phones": sorted((p.company_id or 0, p.person_id or 0, p.e164)
                             for p in db.session.scalars(select(ContactPhone))),
            "emails": sorted((e.company_id, e.normalised)
                             for e in db.session.scalars(select(ContactEmail))),
            "visits": sorted((v.id, v.day, v.company_id, v.person_id or 0)
                             for v in db.session.scalars(select(ContactVisit))),
            "custom": {c.id: custom_fields.values_of(db.session, c)
                       for c in db.session.scalars(select(Company))},
        }


def merge_events(app):
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == "merge")))


def test_merge_screen_keeps_chosen_values_unions_channels_and_moves_every_reference(world):
    app, _, ids = world
    a, b = ids["a"], ids["b"]
    client = app.test_client()
    login(client, "sam")
    page = client.get(f"/contacts/merge/company/?ids={a},{b}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in ("Beijing", "Shanghai", "Retail", "North", "South"):
        assert shown in html
    resp = client.post("/contacts/merge/company/", data={
        "csrf_token": csrf_token(html), "ids": [a, b], "survivor": a,
        "field_city": b, "field_industry": b, "field_name": a, "field_custom:region": b})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/companyview/show/{a}")
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Merged 1 contact(s) into Acme Co., Ltd." in shown

    after = snapshot(app)
    assert after["companies"] == [(a, "Acme Co., Ltd.", "Shanghai", "Retail", ["new", "vip"]),
                                  (ids["kim"], "Acme (kim)", None, None, [])]
    assert after["phones"] == [(0, ids["ann2"], "+8613700137000"),
                               (a, 0, "+8613800138000"), (a, 0, "+8613900139000")]
    assert after["emails"] == [(a, "a@acme.cn"), (a, "b@acme.cn")]
    # a colleague's person at the merged company moves too: references are not filtered
    assert after["people"] == [(ids["ann"], a), (ids["ann2"], a)]
    # another addon's table: b's visit on a day a already had is dropped, the other moves
    assert [(day, company) for _, day, company, _ in after["visits"]] == [
        ("2026-01-01", a), ("2026-01-02", a)]
    assert after["custom"] == {a: {"region": "South"}, ids["kim"]: {}}

    event, = merge_events(app)
    assert (event.model, event.record_id, event.actor) == ("Company", str(a), "sam")
    assert event.changes["survivor"] == a and event.changes["losers"] == [b]
    assert event.changes["chosen"]["city"] == {"from": b, "value": "Shanghai"}
    moved = event.changes["moved"]
    assert moved["example_contact_visit.company_id"] == {"moved": 1, "dropped": 1}
    assert moved["contacts_person.company_id"]["moved"] == 1
    assert moved["contacts_company_tag.contact_id"] == {"moved": 1, "dropped": 1}
    assert moved["contacts_custom_value.company_id"] == {"moved": 0, "dropped": 1}


def test_merging_people_moves_their_references(world):
    app, _, ids = world
    with app.app_context():
        from addons.contacts.services.merge_contacts import merge

        kept = merge(db.session, "person", ids["ann2"], [ids["ann"]],
                     {"name": ids["ann"], "owner_id": ids["ann2"]})
        assert kept.name == "Ann"
    after = snapshot(app)
    assert after["people"] == [(ids["ann2"], ids["a"])]
    assert [v[3] for v in after["visits"]] == [0, ids["ann2"], ids["ann2"]]


def test_a_failure_midway_leaves_everything_as_it_was(world, monkeypatch):
    app, _, ids = world
    before = snapshot(app)
    from addons.contacts.services import merge_contacts

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(merge_contacts, "record_event", broken_audit)
    with app.app_context(), pytest.raises(RuntimeError):
        merge_contacts.merge(db.session, "company", ids["a"], [ids["b"]], {"city": ids["b"]})
    assert snapshot(app) == before
    assert merge_events(app) == []


def test_record_rules_refuse_merging_a_contact_you_cannot_write(world):
    app, users, ids = world
    before = snapshot(app)
    client = app.test_client()
    login(client, "sam")
    # kim's company is not visible to sam: refused before anything is shown
    resp = client.get(f"/contacts/merge/company/?ids={ids['a']},{ids['kim']}")
    assert resp.status_code == 302
    token = csrf_token(client.get(f"/contacts/merge/company/?ids={ids['a']},{ids['b']}")
                       .get_data(as_text=True))
    resp = client.post("/contacts/merge/company/", data={
        "csrf_token": token, "ids": [ids["a"], ids["kim"]], "survivor": ids["a"]},
        follow_redirects=True)
    assert "does not exist or is not visible to you" in resp.get_data(as_text=True)
    # a reader who may not write (Read-only reads every contact)
    reader = Actor(users["sam"], "reader", frozenset({"Read-only"}))
    with app.app_context(), acting_as(reader):
        from addons.contacts.services.merge_contacts import merge
        from core.security.record_rules import AccessDenied

        with pytest.raises(AccessDenied, match="you may not change it"):
            merge(db.session, "company", ids["a"], [ids["kim"]], {})
    # the manager of team A writes sam's contacts, not kim's (team B)
    mgr = Actor(users["mgr"], "mgr", frozenset({"Sales Manager"}))
    with app.app_context(), acting_as(mgr):
        from addons.contacts.services.merge_contacts import MergeError, merge

        with pytest.raises(MergeError):
            merge(db.session, "company", ids["a"], [ids["kim"]], {})
    assert snapshot(app) == before and merge_events(app) == []


def test_bad_merge_requests_are_refused_with_a_reason(world):
    app, _, ids = world
    with app.app_context():
        from addons.contacts.services.merge_contacts import MergeError, merge

        for losers, values, field in [([], {}, "losers"),
                                      ([ids["a"]], {}, "survivor"),
                                      ([ids["b"]], {"password": ids["b"]}, "password"),
                                      ([ids["b"]], {"city": ids["kim"]}, "city")]:
            with pytest.raises(MergeError) as refused:
                merge(db.session, "company", ids["a"], losers, values)
            assert refused.value.field == field
    assert merge_events(app) == []


def test_merge_action_on_the_list_opens_the_merge_screen(world):
    app, _, ids = world
    client = app.test_client()
    login(client, "sam")
    token = csrf_token(client.get("/companyview/list/").get_data(as_text=True))
    resp = client.post("/companyview/action_post", data={
        "csrf_token": token, "action": "merge", "rowid": [str(ids["a"]), str(ids["b"])]})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/contacts/merge/company/?ids={ids['a']},{ids['b']}")
    assert "Acme Co., Ltd." in client.get(resp.headers["Location"]).get_data(as_text=True)
