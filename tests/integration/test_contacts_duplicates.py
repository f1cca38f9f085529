"""Duplicate detection on the contacts forms and REST API, the policy setting,
the duplicate groups screen and dismissing a group.

sam and kim are salespeople in different teams: sam cannot read kim's
contacts, yet must be told that kim already has the customer (name and owner
only, nothing else of it)."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, api_token, company_form, csrf_token, install, login

pytestmark = pytest.mark.addons("contacts")

KIM_TAX_ID = "91350100M000100Y43"


@pytest.fixture
def world(app):
    install(app, "contacts")
    users = {"sam": add_user(app, "sam", ["Salesperson"], "A"),
             "kim": add_user(app, "kim", ["Salesperson"], "B"),
             "mgr": add_user(app, "mgr", ["Sales Manager"], "A"),
             "boss": add_user(app, "boss", ["Admin"])}
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, ContactPhone

        kims = Company(name="Kim Trading Co., Ltd.", tax_id=KIM_TAX_ID, city="Secret City",
                       owner_id=users["kim"],
                       emails=[ContactEmail(kind="work", email="Sales@KimTrading.cn")],
                       phones=[ContactPhone(kind="work", number="010 6552 9988")])
        db.session.add(kims)
        db.session.commit()
        app.kim_company = kims.id
    app.users = users
    return app


def person_form(token, **fields):
    data = company_form(token, company="", job_title="")
    del data["tax_id"]
    data.update(fields)
    return data


def count(app, model_name):
    with app.app_context():
        from addons.contacts import models

        return db.session.scalar(select(func.count()).select_from(getattr(models, model_name)))


def field_errors(html: str) -> str:
    return " ".join(unescape(m) for m in re.findall(r'class="alert alert-danger">(.*?)</',
                                                    html, re.S))


def set_policy(app, policy):
    client = app.test_client()
    login(client, "boss")
    page = client.get("/contacts/duplicates/settings/")
    assert page.status_code == 200
    resp = client.post("/contacts/duplicates/settings/",
                       data={"policy": policy, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert resp.status_code == 302
    shown = client.get("/contacts/duplicates/settings/").get_data(as_text=True)
    assert re.search(rf'value="{policy}"\s*checked', shown)


@pytest.mark.parametrize("field, value, shown_value", [
    ("email_lines", "work: sales@kimtrading.CN", "sales@kimtrading.cn"),
    ("phone_lines", "+86 10 6552 9988", "+861065529988"),
    ("tax_id", "91350100m000100y43", KIM_TAX_ID),
])
def test_warn_mode_form_asks_to_confirm_a_colleagues_duplicate(world, field, value,
                                                               shown_value):
    app = world
    client = app.test_client()
    token = login(client, "sam")
    resp = client.post("/companyview/add", data=company_form(token, name="New Co", **{field: value}))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    errors = field_errors(html)
    assert f"{shown_value}: Kim Trading Co., Ltd. (owner: kim)" in errors, errors
    assert "Save anyway" in errors
    assert "Secret City" not in html  # the colleague's contact: name and owner only
    assert f"/companyview/show/{app.kim_company}" not in html
    assert count(app, "Company") == 1

    resp = client.post("/companyview/add", data=company_form(
        token, name="New Co", duplicates_confirmed="y", **{field: value}))
    assert resp.status_code == 302
    assert count(app, "Company") == 2


def test_block_mode_form_refuses_and_names_the_existing_contact(world):
    app = world
    set_policy(app, "block")
    client = app.test_client()
    token = login(client, "sam")
    resp = client.post("/companyview/add", data=company_form(
        token, name="Other", tax_id=KIM_TAX_ID, duplicates_confirmed="y"))
    assert resp.status_code == 200
    errors = field_errors(resp.get_data(as_text=True))
    assert f"Already used by another contact: {KIM_TAX_ID}: Kim Trading Co., Ltd. (owner: kim)" \
        in errors
    assert "Save anyway" not in errors
    assert count(app, "Company") == 1
    # keys nobody holds save as usual
    assert client.post("/companyview/add", data=company_form(
        token, name="Other", email_lines="a@other.cn")).status_code == 302
    assert count(app, "Company") == 2


def test_editing_a_contact_checks_only_the_keys_it_newly_brings(world):
    app = world
    set_policy(app, "block")
    with app.app_context():
        from addons.contacts.models import Company, ContactPhone

        # an old duplicate: sam's company already shares kim's phone
        mine = Company(name="Sam's", owner_id=app.users["sam"],
                       phones=[ContactPhone(kind="work", number="010 6552 9988")])
        db.session.add(mine)
        db.session.commit()
        mine_id = mine.id
    client = app.test_client()
    token = login(client, "sam")
    edit = dict(name="Sam's renamed", phone_lines="work: 010 6552 9988",
                owner=str(app.users["sam"]))
    assert client.post(f"/companyview/edit/{mine_id}",
                       data=company_form(token, **edit)).status_code == 302
    resp = client.post(f"/companyview/edit/{mine_id}", data=company_form(
        token, email_lines="sales@kimtrading.cn", **edit))
    assert resp.status_code == 200
    assert "Kim Trading" in field_errors(resp.get_data(as_text=True))
    with app.app_context():
        from addons.contacts.models import Company

        assert db.session.get(Company, mine_id).emails == []


def test_settings_screen_is_for_admins_only(world):
    app = world
    client = app.test_client()
    token = login(client, "mgr")
    assert client.get("/contacts/duplicates/settings/").status_code in (302, 403)
    client.post("/contacts/duplicates/settings/", data={"policy": "block", "csrf_token": token})
    with app.app_context():
        from addons.contacts.services.duplicates.policy import current_policy

        assert current_policy(db.session) == "warn"
    boss = app.test_client()
    login(boss, "boss")
    page = boss.get("/contacts/duplicates/settings/")
    resp = boss.post("/contacts/duplicates/settings/", data={
        "policy": "sometimes", "csrf_token": csrf_token(page.get_data(as_text=True))},
        follow_redirects=True)
    assert "must be one of warn, block" in unescape(resp.get_data(as_text=True))
    assert boss.post("/contacts/duplicates/settings/",
                     data={"policy": "block"}).status_code == 400  # no CSRF token
    with app.app_context():
        from addons.contacts.services.duplicates.policy import current_policy

        assert current_policy(db.session) == "warn"


def test_rest_warn_saves_and_lists_matches_block_answers_409(world):
    app = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    body = {"name": "Via API", "emails": [{"kind": "work", "email": "SALES@kimtrading.cn"}]}
    resp = client.post("/api/v1/company/", headers=headers, json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    answer = resp.get_json()
    assert answer["duplicates"] == [{"kind": "company", "name": "Kim Trading Co., Ltd.",
                                     "owner": "kim", "matched_on": "email",
                                     "value": "sales@kimtrading.cn", "visible": False}]
    created = answer["id"]
    assert count(app, "Company") == 2

    set_policy(app, "block")
    resp = client.post("/api/v1/company/", headers=headers,
                       json={"name": "Again", "tax_id": KIM_TAX_ID})
    assert resp.status_code == 409
    assert resp.get_json()["duplicates"][0]["matched_on"] == "tax_id"
    assert "id" not in resp.get_json()["duplicates"][0]
    resp = client.put(f"/api/v1/company/{created}", headers=headers,
                      json={"phones": [{"kind": "work", "number": "01065529988"}]})
    assert resp.status_code == 409
    assert count(app, "Company") == 2
    with app.app_context():
        from addons.contacts.models import Company

        assert db.session.get(Company, created).phones == []
    # the admin reads kim's contact: the match comes with its id
    boss = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    resp = client.post("/api/v1/company/", headers=boss, json={"name": "X", "tax_id": KIM_TAX_ID})
    assert resp.status_code == 409
    assert resp.get_json()["duplicates"][0]["id"] == app.kim_company


def test_likely_duplicates_by_name_within_company_and_email_domain(world):
    app = world
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, Person

        acme = Company(name="Acme", owner_id=app.users["sam"])
        other = Company(name="Other", owner_id=app.users["sam"])
        db.session.add_all([acme, other])
        db.session.flush()
        db.session.add_all([
            Person(name="Li Lei", company_id=acme.id, owner_id=app.users["sam"]),
            Person(name="Li Lei", company_id=other.id, owner_id=app.users["sam"]),
            Company(name="华为技术有限公司", owner_id=app.users["kim"],
                    emails=[ContactEmail(email="info@huawei.com")]),
            Company(name="华为技术（北京）有限公司", owner_id=app.users["kim"],
                    emails=[ContactEmail(email="bj@qq.com")]),
        ])
        db.session.commit()
        acme_id, other_id = acme.id, other.id
    client = app.test_client()
    token = login(client, "sam")
    resp = client.post("/personview/add", data=person_form(
        token, name="ＬＩ  lei", company=str(acme_id)), follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Contacts with a similar name exist" in page
    warning = page[page.index("Contacts with a similar name exist"):][:600]
    assert warning.count("Li Lei") == 1  # only the one at the same company
    assert "/personview/show/" in warning  # sam reads it: a link

    resp = client.post("/companyview/add", data=company_form(
        token, name="华为技术（深圳）有限公司", email_lines="new@huawei.com"), follow_redirects=True)
    page = resp.get_data(as_text=True)
    warning = page[page.index("Contacts with a similar name exist"):][:600]
    assert "华为技术有限公司 (owner: kim)" in warning and "/companyview/show/" not in warning
    assert "北京" not in warning  # shares only a free mail domain (qq.com)

    # REST: the same lookup, in the answer
    headers = {"Authorization": f"Bearer {api_token(client, 'sam')}"}
    resp = client.post("/api/v1/person/", headers=headers,
                       json={"name": "li-lei", "company": other_id})
    assert resp.status_code == 201
    assert [m["name"] for m in resp.get_json()["likely_duplicates"]] == ["Li Lei"]
    resp = client.post("/api/v1/person/", headers=headers, json={"name": "Han Meimei",
                                                                 "company": other_id})
    assert resp.get_json()["likely_duplicates"] == []


def group_rows(html: str) -> list[str]:
    """Each group row's text: the shared key and the member names."""
    rows = re.findall(r'<tr class="duplicate-group">(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", unescape(r)).split()).replace(" ,", ",")
            for r in rows]


@pytest.fixture
def groups_world(world):
    app = world
    users = app.users
    with app.app_context():
        from addons.contacts.models import Company, ContactEmail, Person

        def company(name, owner, *emails):
            c = Company(name=name, owner_id=users[owner],
                        emails=[ContactEmail(email=e) for e in emails])
            db.session.add(c)
            db.session.flush()
            return c.id

        ids = {"alpha1": company("Alpha Co", "sam", "x@alpha.cn"),
               "alpha2": company("ALPHA Ltd", "sam", "X@Alpha.cn"),
               "alpha_kim": company("Alpha of kim", "kim", "x@alpha.cn"),
               "copy": company("Kim copy", "sam", "sales@kimtrading.cn"),
               "hw1": company("华为技术有限公司", "sam", "a@huawei.com"),
               "hw2": company("华为技术（深圳）有限公司", "sam", "b@huawei.com"),
               "free1": company("Zeta Co", "sam", "z1@qq.com"),
               "free2": company("Zeta Ltd", "sam", "z2@qq.com")}
        db.session.add_all([Person(name="Li Lei", company_id=ids["alpha1"], owner_id=users["sam"]),
                            Person(name="li  LEI", company_id=ids["alpha1"], owner_id=users["sam"]),
                            Person(name="Han Meimei", company_id=ids["alpha1"],
                                   owner_id=users["sam"])])
        db.session.commit()
    app.ids = ids
    return app


def test_groups_screen_shows_groups_among_contacts_the_reader_sees(groups_world):
    app = groups_world
    admin, mgr, sam = app.test_client(), app.test_client(), app.test_client()
    login(admin, "boss")
    login(mgr, "mgr")
    login(sam, "sam")
    assert sam.get("/contacts/duplicates/").status_code in (302, 403)  # managers and admins

    everyone = group_rows(admin.get("/contacts/duplicates/?kind=company&by=email")
                          .get_data(as_text=True))
    assert everyone == ["sales@kimtrading.cn Kim Trading Co., Ltd., Kim copy Merge Not duplicates",
                        "x@alpha.cn Alpha Co, ALPHA Ltd, Alpha of kim Merge Not duplicates"]
    page = mgr.get("/contacts/duplicates/?kind=company&by=email").get_data(as_text=True)
    assert group_rows(page) == ["x@alpha.cn Alpha Co, ALPHA Ltd Merge Not duplicates"]
    assert "Kim Trading" not in page and "Alpha of kim" not in page
    ids = app.ids
    assert f'/contacts/merge/company/?ids={ids["alpha1"]},{ids["alpha2"]}' in page
    assert group_rows(mgr.get("/contacts/duplicates/?kind=company&by=email&page=1")
                      .get_data(as_text=True)) == []

    by_name = group_rows(mgr.get("/contacts/duplicates/?kind=company&by=name")
                         .get_data(as_text=True))
    # same exact e-mail or not, names alike within a shared domain (qq.com is free mail)
    assert by_name == ["@alpha.cn Alpha Co, ALPHA Ltd Merge Not duplicates",
                       "@huawei.com 华为技术有限公司, 华为技术（深圳）有限公司 Merge Not duplicates"]
    people = group_rows(mgr.get("/contacts/duplicates/?kind=person&by=name")
                        .get_data(as_text=True))
    assert people == ["Alpha Co Li Lei, li LEI Merge Not duplicates"]
    assert mgr.get("/contacts/duplicates/?kind=person&by=tax_id").status_code == 404


def test_dismissing_a_group_hides_it_and_only_for_visible_contacts(groups_world):
    app = groups_world
    ids = app.ids
    mgr = app.test_client()
    login(mgr, "mgr")
    page = mgr.get("/contacts/duplicates/?kind=company&by=email").get_data(as_text=True)
    token = csrf_token(page)
    resp = mgr.post("/contacts/duplicates/dismiss", data={
        "csrf_token": token, "kind": "company", "by": "email",
        "ids": [ids["alpha1"], ids["alpha_kim"]]}, follow_redirects=True)
    assert "does not exist or is not visible to you" in resp.get_data(as_text=True)
    resp = mgr.post("/contacts/duplicates/dismiss", data={
        "csrf_token": token, "kind": "company", "by": "email",
        "ids": [ids["alpha1"], ids["alpha2"]]}, follow_redirects=True)
    assert "Marked as not duplicates" in resp.get_data(as_text=True)
    assert group_rows(resp.get_data(as_text=True)) == []
    assert mgr.post("/contacts/duplicates/dismiss", data={
        "kind": "company", "ids": [ids["alpha1"], ids["alpha2"]]}).status_code == 400  # CSRF
    with app.app_context():
        from addons.contacts.models import ContactDuplicateDismissal

        assert db.session.scalar(select(func.count()).select_from(ContactDuplicateDismissal)) == 1
    # the admin still sees the group: kim's contact was never dismissed against them
    admin = app.test_client()
    login(admin, "boss")
    rows = group_rows(admin.get("/contacts/duplicates/?kind=company&by=email")
                      .get_data(as_text=True))
    assert "x@alpha.cn Alpha Co, ALPHA Ltd, Alpha of kim Merge Not duplicates" in rows
