"""Contacts search (services/search/): a fragment of a name, an
e-mail or a phone finds the contact through the index, on the list pages and
in REST, inside the record rules; the index follows every write; list counts
stop at a cap."""
from __future__ import annotations

import re

import prison
import pytest
from sqlalchemy import insert, select

from core.db import db
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("contacts")

COMPANIES = {  # name: (owner, phones, e-mails)
    "王芳芳贸易": ("s1", ["138 0013 8000"], ["fang@163.com"]),
    "王小明科技": ("s1", ["010 6552 9988"], ["xiaoming@qq.com"]),
    "李雷": ("s1", ["+86 139 1234 5678"], []),
    "Acme Trading": ("s1", ["+44 20 7946 0958"], ["Sales@Acme-Trading.co.uk"]),
    "王芳咨询": ("s2", ["138 0013 8001"], ["fang@163.com"]),  # a colleague's
}


@pytest.fixture
def world(make_app):
    app = make_app(extra={"list_count_cap": 3})
    install(app, "contacts")
    app.users = {u: add_user(app, u, ["Salesperson"], "A") for u in ("s1", "s2")}
    app.users["boss"] = add_user(app, "boss", ["Admin"])
    client = app.test_client()
    app.ids = {}
    for name, (owner, phones, emails) in COMPANIES.items():
        headers = {"Authorization": f"Bearer {api_token(client, owner)}"}
        resp = client.post("/api/v1/company/", headers=headers, json={
            "name": name, "phones": [{"kind": "work", "number": n} for n in phones],
            "emails": [{"kind": "work", "email": e} for e in emails]})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        app.ids[name] = resp.get_json()["id"]
    return app


def html_search(client, view: str, text: str, **args) -> set[str]:
    resp = client.get(f"/{view}/list/", query_string={"_flt_0_name": text, **args})
    assert resp.status_code == 200
    return set(re.findall(r"<td>\s*([^<>]+?)\s*</td>", resp.get_data(as_text=True))) \
        & (set(COMPANIES) | set(MORE) | {"王芳", "黄蓉", "Ann Li"})


def rest_search(client, headers, resource: str, text: str) -> tuple[set[str], int]:
    q = prison.dumps({"filters": [{"col": "name", "opr": "search", "value": text}]})
    resp = client.get(f"/api/v1/{resource}/", headers=headers, query_string={"q": q})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    return {r["name"] for r in body["result"]}, body["count"]


SEARCHES = [
    ("acme", {"Acme Trading"}),                    # Latin, any case
    ("ACME TRAD", {"Acme Trading"}),
    ("王", {"王芳芳贸易", "王小明科技"}),             # Chinese, 1 character
    ("王芳", {"王芳芳贸易"}),                        # 2 characters
    ("小明", {"王小明科技"}),
    ("芳芳贸", {"王芳芳贸易"}),                      # 3 and more
    ("fang@163", {"王芳芳贸易"}),                    # e-mail fragment
    ("acme-trading.co", {"Acme Trading"}),
    ("8000", {"王芳芳贸易"}),                        # phone fragments, as typed
    ("138 0013", {"王芳芳贸易"}),
    ("+86 138", {"王芳芳贸易"}),
    ("010 6552", {"王小明科技"}),
    ("6552-9988", {"王小明科技"}),
    ("+44 20 7946", {"Acme Trading"}),
    ("nobody", set()),
]


def test_search_by_name_email_and_phone_fragment(world):
    client = world.test_client()
    login(client, "s1")
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    for text, expected in SEARCHES:
        assert html_search(client, "companyview", text) == expected, text
        assert rest_search(client, headers, "company", text) == (expected, len(expected)), text


def test_search_never_returns_a_colleagues_contact(world):
    client = world.test_client()
    login(client, "s2")
    assert html_search(client, "companyview", "王芳") == {"王芳咨询"}
    assert html_search(client, "companyview", "fang@163.com") == {"王芳咨询"}
    assert html_search(client, "companyview", "138 0013 800") == {"王芳咨询"}
    headers = {"Authorization": f"Bearer {api_token(client, 's2')}"}
    assert rest_search(client, headers, "company", "王") == ({"王芳咨询"}, 1)
    assert rest_search(client, headers, "company", "8000") == (set(), 0)
    # the admin sees both
    client = world.test_client()
    login(client, "boss")
    assert html_search(client, "companyview", "王芳") == {"王芳芳贸易", "王芳咨询"}


def test_search_combines_with_fabs_filters_and_is_in_the_api_info(world):
    client = world.test_client()
    login(client, "s1")
    # the box keeps the other filters of the URL; FAB's name "starts with" is index 1 now
    assert html_search(client, "companyview", "王", _flt_1_name="王小") == {"王小明科技"}
    page = client.get("/companyview/list/?_flt_0_name=王").get_data(as_text=True)
    assert "Search name, e-mail or phone" in page
    assert 'name="_flt_0_name"' in page and 'value="王"' in page
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    info = client.get("/api/v1/company/_info", headers=headers,
                      query_string={"q": prison.dumps({"keys": ["filters"]})}).get_json()
    operators = {f["operator"] for f in info["filters"]["name"]}
    assert "search" in operators and "ct" in operators
    bad = client.get("/api/v1/company/", headers=headers, query_string={"q": prison.dumps(
        {"filters": [{"col": "city", "opr": "search", "value": "x"}]})})
    assert bad.status_code == 400


def test_the_index_follows_edits_and_deletes(world):
    app = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    acme = app.ids["Acme Trading"]
    # name, phones and e-mails changed through REST
    resp = client.put(f"/api/v1/company/{acme}", headers=headers, json={
        "name": "Zenith Handel", "phones": [{"kind": "mobile", "number": "186 1111 2222"}],
        "emails": [{"kind": "work", "email": "hello@zenith.de"}]})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert rest_search(client, headers, "company", "acme")[0] == set()
    assert rest_search(client, headers, "company", "7946")[0] == set()
    assert rest_search(client, headers, "company", "zenith")[0] == {"Zenith Handel"}
    assert rest_search(client, headers, "company", "1111 2222")[0] == {"Zenith Handel"}
    assert rest_search(client, headers, "company", "hello@zen")[0] == {"Zenith Handel"}

    # through the HTML edit form: name and phones
    from tests.integration.test_contacts_screens_and_api import company_form
    token = login(client, "s1")
    wang = app.ids["王小明科技"]
    resp = client.post(f"/companyview/edit/{wang}", data=company_form(
        token, name="黄蓉", phone_lines="mobile: 137 0000 1111",
        owner=str(app.users["s1"])))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert html_search(client, "companyview", "小明") == set()
    assert html_search(client, "companyview", "6552") == set()
    assert html_search(client, "companyview", "黄") == {"黄蓉"}
    assert html_search(client, "companyview", "0000 1111") == {"黄蓉"}
    assert html_search(client, "companyview", "xiaoming@qq") == set()  # e-mails emptied

    # a deleted contact is gone from the index too
    admin = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    assert client.delete(f"/api/v1/company/{wang}", headers=admin).status_code == 200
    assert rest_search(client, admin, "company", "黄")[0] == set()
    with app.app_context():
        from addons.contacts.models.search_index import company_search

        indexed = set(db.session.scalars(select(company_search.c.contact_id)))
    assert indexed == set(app.ids.values()) - {wang}


def test_people_are_searched_too_and_new_ones_found_by_phone(world):
    app = world
    client = app.test_client()
    token = login(client, "s1")
    from tests.integration.test_contacts_screens_and_api import company_form
    form = company_form(token, name="王芳", job_title="经理", company="",
                        phone_lines="mobile: 135 7000 8000", email_lines="wf@example.cn")
    del form["tax_id"]
    assert client.post("/personview/add", data=form).status_code == 302
    form.update(name="Ann Li", phone_lines="+1 415 555 0100", email_lines="ann@li.example")
    assert client.post("/personview/add", data=form).status_code == 302
    assert html_search(client, "personview", "135 7000") == {"王芳"}   # the new contact
    assert html_search(client, "personview", "王芳") == {"王芳"}
    assert html_search(client, "personview", "ANN") == {"Ann Li"}
    assert html_search(client, "personview", "+1 415") == {"Ann Li"}
    assert html_search(client, "companyview", "王芳") == {"王芳芳贸易"}  # kinds apart
    # FAB's search form does not list every company as an <option> (a million rows)
    assert "王芳芳贸易</option>" not in client.get("/personview/list/").get_data(as_text=True)


def test_bulk_inserts_are_indexed_by_reindex(world):
    app = world
    with app.app_context():
        from addons.contacts.models import Company, ContactPhone
        from addons.contacts.services.search.index import reindex

        conn = db.session.connection()
        new_id = conn.execute(insert(Company.__table__).values(
            name="Bulk 进出口", active=True, owner_id=app.users["s1"])).inserted_primary_key[0]
        conn.execute(insert(ContactPhone.__table__).values(
            company_id=new_id, kind="work", number="021 5555 0000", e164="+862155550000"))
        reindex(db.session, "company", [new_id])
        db.session.commit()
    client = app.test_client()
    login(client, "s1")
    assert "Bulk 进出口" in client.get("/companyview/list/?_flt_0_name=进出").get_data(as_text=True)
    assert "Bulk 进出口" in client.get(
        "/companyview/list/?_flt_0_name=021+5555").get_data(as_text=True)


def test_counts_stop_at_the_cap(world):
    client = world.test_client()
    login(client, "s1")  # owns 4 companies, the cap is 3
    page = client.get("/companyview/list/").get_data(as_text=True)
    assert re.search(r"Record Count:</strong>\s*3\+", page), page
    searched = client.get("/companyview/list/?_flt_0_name=王").get_data(as_text=True)
    assert re.search(r"Record Count:</strong>\s*2\s*<", searched)
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    body = client.get("/api/v1/company/", headers=headers).get_json()
    assert body["count"] == 3 and len(body["result"]) == 4  # counted up to the cap only
    # pages past the cap still open
    page2 = client.get("/api/v1/company/", headers=headers, query_string={
        "q": prison.dumps({"page": 1, "page_size": 3})}).get_json()
    assert len(page2["result"]) == 1


# --- terms of 1-2 characters, literal wildcards, broad terms ---------------

MORE = {  # name: (owner, phones, e-mails)
    "Maria Smith Ltd": ("s1", ["+44 20 7946 0001"], ["maria.smith@example.com"]),
    "Tom Amos": ("s1", [], ["tom@amos.example"]),
    "Mark Brown": ("s2", [], ["mark@brown.example"]),
    "100% Natural": ("s1", [], []),
    "a_b Labs": ("s1", [], ["first_last@labs.example"]),
    "axb Labs": ("s1", [], []),
    "𠀀科技": ("s1", [], []),
}


@pytest.fixture
def more(world):
    with world.app_context():
        from addons.contacts.models import Company, ContactEmail, ContactPhone

        for name, (owner, phones, emails) in MORE.items():
            db.session.add(Company(
                name=name, owner_id=world.users[owner],
                phones=[ContactPhone(kind="work", number=n) for n in phones],
                emails=[ContactEmail(kind="work", email=e) for e in emails]))
        db.session.commit()
    return world


def test_one_and_two_characters_find_word_beginnings_within_the_scope(more):
    client = more.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    login(client, "s1")
    short = [
        ("m", {"Maria Smith Ltd"}),            # Maria, maria.smith@: not Mark Brown (s2's)
        ("M", {"Maria Smith Ltd"}),
        ("sm", {"Maria Smith Ltd"}),           # the second word
        ("am", {"Tom Amos"}),
        ("ar", set()),                         # inside words: not a beginning
        ("1", {"王芳芳贸易", "王小明科技", "李雷", "100% Natural"}),  # 138..., 10 6552..., 139...
        ("+4", {"Acme Trading", "Maria Smith Ltd"}),             # +44 ...
        ("王", {"王芳芳贸易", "王小明科技"}),    # Chinese: anywhere, as before
        ("明科", {"王小明科技"}),
        ("𠀀", {"𠀀科技"}),                    # beyond the basic plane
        ("𠀀科", {"𠀀科技"}),
    ]
    for text, expected in short:
        assert html_search(client, "companyview", text) == expected, text
        assert rest_search(client, headers, "company", text) == (
            expected, min(len(expected), 3)), text  # counts stop at 3 here
    # a colleague, and the admin, see their own share of the same terms
    client = more.test_client()
    s2 = {"Authorization": f"Bearer {api_token(client, 's2')}"}
    assert rest_search(client, s2, "company", "m") == ({"Mark Brown"}, 1)
    assert rest_search(client, s2, "company", "1") == ({"王芳咨询"}, 1)
    boss = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    assert rest_search(client, boss, "company", "m")[0] == {"Maria Smith Ltd", "Mark Brown"}


def test_wildcards_are_literal(more):
    client = more.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    for text, expected in [("%", {"100% Natural"}), ("0%", {"100% Natural"}),
                           ("% n", {"100% Natural"}), ("_", {"a_b Labs"}),
                           ("a_b", {"a_b Labs"}), ("t_l", {"a_b Labs"}), ("%_", set())]:
        assert rest_search(client, headers, "company", text) == (expected, len(expected)), text
    boss = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    assert rest_search(client, boss, "company", "%")[0] == {"100% Natural"}


def rest_page(client, headers, text: str, page: int, size: int, **order) -> tuple[list, int]:
    q = prison.dumps({"filters": [{"col": "name", "opr": "search", "value": text}],
                      "page": page, "page_size": size, **order})
    body = client.get("/api/v1/company/", headers=headers, query_string={"q": q}).get_json()
    return [r["name"] for r in body["result"]], body["count"]


def test_broad_terms_page_in_name_order_past_the_cap(more, monkeypatch):
    """The cap is 3 here: a term matching more pages through every match in
    name order and counts "3+", for the owner (who walks own rows) and the
    admin (the index's candidates in key order, read 2 at a time here, across
    names sharing their first 5 bytes and not), ascending and descending."""
    from addons.contacts.services.search import scoped as scoped_search

    monkeypatch.setattr(scoped_search, "STREAM_BATCH", 2)
    with more.app_context():
        from addons.contacts.models import Company

        for n, owner in enumerate(["s1"] * 7 + ["s2"] * 2):
            db.session.add(Company(name=f"Broad Co {n}", owner_id=more.users[owner]))
        db.session.add(Company(name="Abroad Ltd", owner_id=more.users["s1"]))
        db.session.add(Company(name="broadway", owner_id=more.users["s2"]))
        db.session.commit()
    client = more.test_client()
    s1 = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    boss = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    mine = ["Abroad Ltd"] + [f"Broad Co {n}" for n in range(7)]
    everyone = mine + ["Broad Co 7", "Broad Co 8", "broadway"]
    for headers, text, expected in ((s1, "broad", mine), (s1, "br", mine[1:]),
                                    (boss, "broad", everyone),
                                    (boss, "br", everyone[1:] + ["Mark Brown"])):
        for order in ({}, {"order_column": "name", "order_direction": "desc"}):
            names = []
            for page in range(7):
                found, count = rest_page(client, headers, text, page, 2, **order)
                names += found
                assert count == 3, (text, page, count)
            wanted = sorted(expected, reverse=bool(order))
            assert names == wanted, (text, order, names)
    for headers, expected in ((s1, mine), (boss, everyone)):  # another order: filtered all the same
        found, count = rest_page(client, headers, "broad", 0, 20, order_column="city")
        assert sorted(found) == sorted(expected) and count == 3
    login(client, "s1")
    page = client.get("/companyview/list/?_flt_0_name=broad").get_data(as_text=True)
    assert re.search(r"Record Count:</strong>\s*3\+", page)


def test_the_index_follows_a_change_of_owner(world):
    """The search reads owner and team from the index: a reassigned contact
    leaves the old owner's results and joins the new owner's."""
    client = world.test_client()
    s1 = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    s2 = {"Authorization": f"Bearer {api_token(client, 's2')}"}
    boss = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    assert rest_search(client, s1, "company", "a") == ({"Acme Trading"}, 1)
    resp = client.put(f"/api/v1/company/{world.ids['Acme Trading']}", headers=boss,
                      json={"owner": world.users["s2"]})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    for text in ("a", "acme", "+44 20"):
        assert rest_search(client, s1, "company", text) == (set(), 0), text
        assert rest_search(client, s2, "company", text) == ({"Acme Trading"}, 1), text
