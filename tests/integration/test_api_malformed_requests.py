"""Malformed REST requests get a 4xx JSON answer that the OpenAPI spec lists, never a 500.

Thrown at the example addon's NoteApi (`/api/v1/note/`, on
`core.api.CrossdockModelRestApi`) on SQLite and PostgreSQL. Stock FAB 5.3
answered many of these with a 500 (ids beyond 64 bits, huge pages, filter
values of the wrong type, related ids that do not exist, non-object bodies),
an HTML page (unknown routes, wrong methods, CSRF) or 422 for a bad JWT.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import jwt as pyjwt
import prison
import pytest

from core.db import db
from tests.helpers import add_user, api_token, install

pytestmark = pytest.mark.addons("example_notes")

NOTES = "/api/v1/note/"


@pytest.fixture
def api(app):
    install(app, "example_notes")
    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    resp = client.post(NOTES, json={"title": "first"}, headers=headers)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return app, client, headers, resp.get_json()["id"]


def assert_error(resp, status):
    """A JSON error body with a string message, and the expected status."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.is_json, resp.content_type
    body = resp.get_json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str), body
    assert body["message"]
    return body


def note_count(app) -> int:
    with app.app_context():
        from example_notes.models import Note

        return db.session.query(Note).count()


BAD_IDS = ["99999999999999999999", "9223372036854775808", "-9223372036854775809",
           "2147483648", "2410684732", "-2147483649",  # beyond PostgreSQL's INTEGER
           "-1", "0", "abc", "1.5", "1e3", "%20", "0x10", "١"]


def test_ids_that_no_row_can_have_are_404(api):
    app, client, headers, _ = api
    for pk in BAD_IDS:
        url = f"{NOTES}{pk}"
        assert_error(client.get(url, headers=headers), 404)
        assert_error(client.put(url, json={"title": "x"}, headers=headers), 404)
        assert_error(client.delete(url, headers=headers), 404)
    assert note_count(app) == 1


LIST_QUERIES = [
    "(", "(page:", "!(1,2)", "'text'", "(page:1e999)", "(page_size:1e999)", "(page:1.5)",
    "(page:-1)", "(page:99999999999999999999)", "(page:9223372036854775807,page_size:100)",
    "(page_size:0)", "(page_size:-5)", "(page_size:101)", "(page_size:99999999999999999999)",
    "(page:'a')", "(page:!t)", "(order_column:nope)", "(order_column:title,order_direction:up)",
    "(columns:!(nope))", "(select_columns:!(nope))", "(keys:!(nope))",
    "(filters:x)", "(filters:!(x))", "(filters:!((col:nope,opr:eq,value:1)))",
    "(filters:!((col:title,opr:nope,value:1)))", "(filters:!((col:title,value:1)))",
    "(filters:!((col:title,opr:eq,value:!(a,b))))", "(filters:!((col:title,opr:in,value:a)))",
    "(filters:!((col:title,opr:eq,value:(a:1))))", "(filters:!((col:title,opr:eq,value:1e999)))",
    "(filters:!((col:title,opr:eq,value:!t)))",
    "(filters:!((col:owner,opr:rel_o_m,value:abc)))",
    "(filters:!((col:owner,opr:rel_o_m,value:99999999999999999999)))",
    "(filters:!((col:owner,opr:rel_o_m,value:1.5)))",
    "(filters:!((col:owner,opr:rel_o_m,value:!t)))",
    "(filters:!((col:team,opr:rel_o_m,value:-99999999999999999999)))",
]


def test_malformed_queries_are_400(api):
    app, client, headers, nid = api
    for q in LIST_QUERIES:
        assert_error(client.get(NOTES, query_string={"q": q}, headers=headers), 400)
    # beyond PostgreSQL's INTEGER (SQLite's integers are all 64-bit: a valid, empty filter)
    big = "(filters:!((col:owner,opr:rel_o_m,value:2147483648)))"
    resp = client.get(NOTES, query_string={"q": big}, headers=headers)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert resp.status_code == 200
    else:
        assert_error(resp, 400)
    nul = prison.dumps({"filters": [{"col": "title", "opr": "ct", "value": "a\x00b"}]})
    assert_error(client.get(NOTES, query_string={"q": nul}, headers=headers), 400)
    for q in ["(", "(page:", "(columns:!(nope))", "(select_columns:!(nope))", "(keys:!(nope))"]:
        assert_error(client.get(f"{NOTES}{nid}", query_string={"q": q}, headers=headers), 400)
    for q in ["(", "(page:", "(keys:!(nope))"]:
        assert_error(client.get(f"{NOTES}_info", query_string={"q": q}, headers=headers), 400)


def test_well_formed_queries_still_work(api):
    _, client, headers, nid = api
    for q in ["(page:0,page_size:100)", "(order_column:title,order_direction:desc)",
              "(filters:!((col:title,opr:ct,value:fir)))",
              "(filters:!((col:title,opr:eq,value:1)))",  # a number for text: compared as text
              "(filters:!((col:title,opr:in,value:!(first,other))))",
              "(filters:!((col:owner,opr:rel_o_m,value:1)))", "(columns:!(id,title))"]:
        resp = client.get(NOTES, query_string={"q": q}, headers=headers)
        assert resp.status_code == 200, (q, resp.get_data(as_text=True))
    found = client.get(NOTES, query_string={"q": "(filters:!((col:title,opr:eq,value:first)))"},
                       headers=headers).get_json()
    assert found["ids"] == [nid]
    assert client.get(f"{NOTES}{nid}", headers=headers).status_code == 200


HUGE = "x" * 100_000
BODIES = [  # (label, raw body, content type, status)
    ("not json", "{", "application/json", 400),
    ("empty", "", "application/json", 400),
    ("bad utf-8", b'{"title": "\xff"}', "application/json", 400),
    ("a list", "[1, 2]", "application/json", 400),
    ("a string", '"title"', "application/json", 400),
    ("null", "null", "application/json", 400),
    ("a number", "1e999", "application/json", 400),
    ("form", "title=x", "application/x-www-form-urlencoded", 400),
    ("text", "title", "text/plain", 400),
    ("no content type", '{"title": "x"}', None, 400),
    ("title a number", json.dumps({"title": 5}), "application/json", 422),
    ("title a list", json.dumps({"title": ["a"]}), "application/json", 422),
    ("title null", json.dumps({"title": None}), "application/json", 422),
    ("unknown field", json.dumps({"title": "x", "zzz": 1}), "application/json", 422),
    ("huge title", json.dumps({"title": HUGE}), "application/json", 422),
    ("title 201 chars", json.dumps({"title": "a" * 201}), "application/json", 422),
    ("nul in text", json.dumps({"title": "a\u0000b"}), "application/json", 422),
    ("owner beyond 64 bits", json.dumps({"title": "x", "owner": 10**20}), "application/json", 422),
    ("owner text", json.dumps({"title": "x", "owner": "abc"}), "application/json", 422),
    ("owner a float", json.dumps({"title": "x", "owner": 1.5}), "application/json", 422),
    ("owner true", json.dumps({"title": "x", "owner": True}), "application/json", 422),
    ("owner a list", json.dumps({"title": "x", "owner": [1]}), "application/json", 422),
    ("owner beyond 32 bits", json.dumps({"title": "x", "owner": 2**31}), "application/json", 422),
    ("owner does not exist", json.dumps({"title": "x", "owner": 12345}), "application/json", 422),
    ("owner -1", json.dumps({"title": "x", "owner": -1}), "application/json", 422),
    ("owner object, bad id", json.dumps({"title": "x", "owner": {"id": "abc"}}),
     "application/json", 422),
    ("team does not exist", json.dumps({"title": "x", "team": 777}), "application/json", 422),
    ("parent does not exist", json.dumps({"title": "x", "parent": 777}), "application/json", 422),
]


def test_malformed_bodies_are_4xx_and_write_nothing(api):
    app, client, headers, nid = api
    for label, data, ctype, status in BODIES:
        for send, url in ((client.post, NOTES), (client.put, f"{NOTES}{nid}")):
            kwargs = {"content_type": ctype} if ctype else {}
            body = assert_error(send(url, data=data, headers=headers, **kwargs), status)
            if status == 422:  # field errors, as the spec's 422 describes them
                assert isinstance(body["errors"], dict) and body["errors"], (label, body)
    assert note_count(app) == 1
    assert client.get(f"{NOTES}{nid}", headers=headers).get_json()["result"]["title"] == "first"

    # marshmallow-sqlalchemy's Related built a new row for an unknown id
    resp = client.post(NOTES, json={"title": "x", "owner": {"id": 4242, "username": "ghost",
                                                           "first_name": "g", "last_name": "g",
                                                           "email": "g@example.com"}},
                       headers=headers)
    assert_error(resp, 422)
    with app.app_context():
        assert app.appbuilder.sm.get_user_by_id(4242) is None


    # a body over the limit (4 MiB by default) is refused before it is read
    app.config["CROSSDOCK_API_MAX_BODY"] = 64 * 1024
    big = json.dumps({"title": "x", "body": "y" * 70_000})
    assert_error(client.post(NOTES, data=big, content_type="application/json",
                             headers=headers), 413)
    assert_error(client.put(f"{NOTES}{nid}", data=big, content_type="application/json",
                            headers=headers), 413)
    # a chunked body (no Content-Length; the server marks the stream terminated)
    # stops at the limit too
    chunked = {**headers, "Transfer-Encoding": "chunked"}
    resp = client.post(NOTES, input_stream=io.BytesIO(big.encode()),
                       content_type="application/json", headers=chunked,
                       environ_overrides={"wsgi.input_terminated": True})
    assert_error(resp, 413)
    assert note_count(app) == 1
    assert client.post(NOTES, json={"title": "fits", "body": "y" * 1000},
                       headers=headers).status_code == 201


def _tokens(app, access_token):
    claims = pyjwt.decode(access_token, options={"verify_signature": False})
    key = app.config["SECRET_KEY"]
    past = int((dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).timestamp())
    return {
        "malformed": "not-a-jwt",
        "two segments": "abc.def",
        "expired": pyjwt.encode({**claims, "exp": past}, key, algorithm="HS256"),
        "other key": pyjwt.encode(claims, "another-key-" + "y" * 40, algorithm="HS256"),
        "alg none": pyjwt.encode(claims, None, algorithm="none"),
        "unknown user": pyjwt.encode({**claims, "sub": "424242"}, key, algorithm="HS256"),
        "subject not an id": pyjwt.encode({**claims, "sub": "abc"}, key, algorithm="HS256"),
    }


def test_bad_credentials_are_401(api):
    app, client, headers, nid = api
    access = headers["Authorization"].split(" ", 1)[1]
    cases = {f"Bearer {t}": label for label, t in _tokens(app, access).items()}
    cases.update({"Bearer ": "empty bearer", "Basic Zm9vOmJhcg==": "basic",
                  access: "no scheme", None: "no header"})
    for value, label in cases.items():
        h = {"Authorization": value} if value is not None else {}
        for resp in (client.get(NOTES, headers=h), client.get(f"{NOTES}{nid}", headers=h),
                     client.get(f"{NOTES}_info", headers=h), client.get(f"{NOTES}abc", headers=h)):
            body = assert_error(resp, 401)
            assert "msg" not in body, label
        if value is not None and value.startswith("Bearer "):  # token auth: no CSRF check
            for resp in (client.post(NOTES, json={"title": "x"}, headers=h),
                         client.put(f"{NOTES}{nid}", json={"title": "x"}, headers=h),
                         client.delete(f"{NOTES}{nid}", headers=h)):
                assert_error(resp, 401)
    # a refresh token is no access token, and the refresh endpoint wants a refresh token
    assert_error(client.post("/api/v1/security/refresh", headers=headers), 401)
    assert note_count(app) == 1


def test_routes_methods_csrf_and_login_answer_json(api):
    app, client, headers, nid = api
    # request_guard checks CSRF on REST writes without a token (cookie-riding calls)
    body = assert_error(client.post(NOTES, json={"title": "x"}), 400)
    assert "CSRF" in body["message"]
    assert_error(client.delete(f"{NOTES}{nid}"), 400)
    assert note_count(app) == 1
    for path in ["/api/v1/nope/", "/api/v1/", "/api/", "/api/v2/note/", f"{NOTES}1/extra",
                 "/api/v1/note/1/"]:
        assert_error(client.get(path, headers=headers), 404)
    for resp in (client.patch(f"{NOTES}{nid}", json={}, headers=headers),
                 client.post(f"{NOTES}{nid}", json={}, headers=headers),
                 client.delete(NOTES, headers=headers),
                 client.put(NOTES, json={}, headers=headers)):
        assert_error(resp, 405)
        assert resp.headers.get("Allow")
    for payload in ["[1]", '"x"', "null", "{", "1"]:
        assert_error(client.post("/api/v1/security/login", data=payload,
                                 content_type="application/json"), 400)
    # HTML pages keep their HTML errors
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and not resp.is_json


def test_openapi_spec_lists_the_error_answers(api):
    _, client, headers, _ = api
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    components = spec["components"]["responses"]
    ops = {(path, method): op for path, item in spec["paths"].items()
           if path.startswith("/api/v1/note/") for method, op in item.items()}
    assert {(p, m) for p, m in ops} >= {(NOTES, "get"), (NOTES, "post"), (f"{NOTES}{{pk}}", "get"),
                                         (f"{NOTES}{{pk}}", "put"), (f"{NOTES}{{pk}}", "delete")}
    for (path, method), op in ops.items():
        expected = {"400", "401", "403", "422"} | ({"404"} if "{pk}" in path else set())
        if method in ("post", "put"):
            expected.add("413")
        responses = {str(k): v for k, v in op["responses"].items()}
        assert expected <= set(responses), (path, method, sorted(responses))
        for code in expected:
            name = responses[code]["$ref"].rsplit("/", 1)[-1]
            schema = components[name]["content"]["application/json"]["schema"]
            assert schema["properties"]["message"] == {"type": "string"}, (path, method, code)
    props = components["CrossdockError422"]["content"]["application/json"]["schema"]["properties"]
    assert props["errors"]["type"] == "object"


def test_fuzz_note_api_against_its_openapi_spec(api):
    """schemathesis: generated valid and invalid requests for every NoteApi operation
    get no 5xx, only status codes the spec lists, and for errors a JSON
    `{"message": <text>}`. (Success bodies are FAB's own business: its generated
    schemas do not say that a missing related row dumps as null.)"""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                   status_code_conformance)

    app, _, headers, _ = api
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(NOTES)]
    assert len(operations) >= 6
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call_and_validate(headers=headers, checks=checks)
                if response.status_code >= 400:
                    body = response.json()
                    assert isinstance(body.get("message"), str), (case.path, body)

            run()


# --- what the whole-spec fuzz run found (tests/integration/test_api_openapi_fuzz.py) ---

WITH_SALES = pytest.mark.addons("example_notes", "contacts", "sales")


@pytest.fixture
def crm(app):
    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'boss')}"}
    return app, client, headers


def _count(app, model_path: str) -> int:
    module, name = model_path.rsplit(".", 1)
    with app.app_context():
        import importlib

        return db.session.query(getattr(importlib.import_module(module), name)).count()


@WITH_SALES
def test_nested_rows_are_checked_by_their_schema(crm):
    """`"phones": [{}]` was a NOT NULL 500 (FAB built the row from any keys);
    junk in the nested list a TypeError 500 on PUT; a blank name was stored."""
    app, client, headers = crm
    for name in ("", "  "):  # required text: not blank, as in the HTML form
        body = assert_error(client.post("/api/v1/company/", json={"name": name, "tax_id": ""},
                                        headers=headers), 422)
        assert list(body["errors"]) == ["name"]
    resp = client.post("/api/v1/person/", json={"name": "Li", "phones": [{}]}, headers=headers)
    body = assert_error(resp, 422)
    assert body["errors"] == {"phones": {"0": {"number": ["Missing data for required field."]}}}
    resp = client.post("/api/v1/person/", headers=headers, json={
        "name": "Li", "phones": [{"kind": "mobile", "number": "+86 138 0013 8000"}]})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    pk = resp.get_json()["id"]
    assert resp.get_json()["result"]["phones"] == [{"kind": "mobile",
                                                    "number": "+86 138 0013 8000"}]
    for junk in ({"phones": [[], {"x": 1}], "emails": [1]}, {"phones": [{"number": None}]},
                 {"emails": [{}]}, {"phones": {"kind": "m"}}, {"phones": [{"id": "abc"}]}):
        body = assert_error(client.put(f"/api/v1/person/{pk}", json=junk, headers=headers), 422)
        assert set(body["errors"]) <= {"phones", "emails"}, body
    shown = client.get(f"/api/v1/person/{pk}", headers=headers).get_json()["result"]
    assert [p["e164"] for p in shown["phones"]] == ["+8613800138000"]
    assert _count(app, "addons.contacts.models.ContactPhone") == 1


@WITH_SALES
def test_unique_values_held_by_another_row_are_409_naming_the_field(crm):
    """A repeated tax name or currency code was a 500 (UNIQUE constraint)."""
    app, client, headers = crm
    tax = {"name": "Levy A", "rate": "0.06"}
    assert client.post("/api/v1/tax/", json=tax, headers=headers).status_code == 201
    body = assert_error(client.post("/api/v1/tax/", json=tax, headers=headers), 409)
    assert list(body["errors"]) == ["name"] and "name" in body["message"]
    codes = [c["code"] for c in client.get("/api/v1/currency/", headers=headers)
             .get_json()["result"]]
    body = assert_error(client.post("/api/v1/currency/", headers=headers,
                                    json={"code": codes[0], "name": "again"}), 409)
    assert list(body["errors"]) == ["code"]
    other = client.post("/api/v1/tax/", json={"name": "Levy B", "rate": 0.09}, headers=headers)
    body = assert_error(client.put(f"/api/v1/tax/{other.get_json()['id']}", headers=headers,
                                   json={"name": "Levy A"}), 409)
    assert list(body["errors"]) == ["name"]
    assert client.get(f"/api/v1/tax/{other.get_json()['id']}", headers=headers) \
        .get_json()["result"]["name"] == "Levy B"
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    assert "409" in spec["paths"]["/api/v1/tax/"]["post"]["responses"]
    assert "409" in spec["paths"]["/api/v1/tax/{pk}"]["put"]["responses"]


@WITH_SALES
def test_info_answers_as_the_spec_says(crm):
    """`_info` raised KeyError ('phones.kind', 'company') for every user: 500."""
    _, client, headers = crm
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()["paths"]
    for resource in ("company", "person", "salesorder", "note", "tax"):
        resp = client.get(f"/api/v1/{resource}/_info", headers=headers)
        assert resp.status_code == 200, (resource, resp.get_data(as_text=True)[:300])
        info = resp.get_json()
        names = [c["name"] for c in info["add_columns"]]
        assert names and all(isinstance(c, dict) for c in info["edit_columns"])
        schema = spec[f"/api/v1/{resource}/_info"]["get"]["responses"]["200"]["content"]
        assert schema["application/json"]["schema"]["properties"]["add_columns"]["type"] \
            == "array"
    info = client.get("/api/v1/person/_info", headers=headers).get_json()
    assert {"phones", "emails", "company"} <= {c["name"] for c in info["add_columns"]}
    assert "lines" in {c["name"] for c in client.get(
        "/api/v1/salesorder/_info", headers=headers).get_json()["add_columns"]}
    assert_error(client.get("/api/v1/company/_info", headers=headers,
                            query_string={"q": "(add_columns:(owner:(page:-1)))"}), 400)
    for send in (client.put, client.delete):  # `/<pk>` matched `_info`: 404 before
        resp = send("/api/v1/company/_info", json={}, headers=headers)
        assert_error(resp, 405)
        assert "GET" in resp.headers["Allow"]


@WITH_SALES
def test_rest_login_without_provider(crm):
    _, client, _ = crm
    resp = client.post("/api/v1/security/login",
                       json={"username": "boss", "password": "Secret-pass-123"})
    assert resp.status_code == 200 and resp.get_json()["access_token"]
    assert_error(client.post("/api/v1/security/login",
                             json={"username": "boss", "password": "wrong"}), 401)
    assert_error(client.post("/api/v1/security/login", json={
        "username": "boss", "password": "x", "provider": "ldap"}), 400)
    assert_error(client.post("/api/v1/security/login", json={"password": "x"}), 400)
    # a NUL in the name reached the throttling query: PostgreSQL refused it (500)
    assert_error(client.post("/api/v1/security/login",
                             json={"username": "bo\x00ss", "password": "x"}), 400)
    headers = {"Authorization": f"Bearer {resp.get_json()['access_token']}"}
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()["paths"]
    login = spec["/api/v1/security/login"]["post"]
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert "provider" not in login["requestBody"]["content"]["application/json"]["schema"] \
        .get("required", [])
    assert_error(client.get("/api/v1/_openapi"), 401)  # and the spec says so
    assert "401" in spec["/api/{version}/_openapi"]["get"]["responses"]


@WITH_SALES
def test_actions_on_ids_no_row_can_have_are_404(crm):
    """An id beyond the column (a 500 on PostgreSQL beyond 32 bits, on SQLite
    beyond 64) in an action or the timeline is a 404."""
    _, client, headers = crm
    for pk in ("2147483648", "9223372036854775808", "99999999999999999999"):
        for url in (f"/api/v1/activity/{pk}/done", f"/api/v1/lead/{pk}/mark_won",
                    f"/api/v1/currency/{pk}/make_base", f"/api/v1/person/{pk}/timeline"):
            assert_error(client.post(url, json={}, headers=headers), 404)
        assert_error(client.get(f"/api/v1/company/{pk}/timeline", headers=headers), 404)


@WITH_SALES
def test_datetimes_are_rfc3339_with_an_offset_both_ways(crm):
    app, client, headers = crm
    person = client.post("/api/v1/person/", json={"name": "Wang"}, headers=headers)
    pk = person.get_json()["id"]
    with app.app_context():
        boss = app.appbuilder.sm.find_user(username="boss").id
    base = {"kind": "call", "summary": "Call back", "due_date": "2026-03-02", "person": pk,
            "owner": boss}
    for naive in ("2026-03-01T09:30:00", "2026-03-01", "yesterday", "2026-13-01T00:00:00Z"):
        body = assert_error(client.post("/api/v1/activity/", headers=headers,
                                        json={**base, "remind_at": naive}), 422)
        assert "remind_at" in body["errors"]
    resp = client.post("/api/v1/activity/", headers=headers,
                       json={**base, "remind_at": "2026-03-01T09:30:00+08:00"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    activity = resp.get_json()["id"]
    with app.app_context():
        from addons.sales.models.activity import Activity

        assert db.session.get(Activity, activity).remind_at == dt.datetime(2026, 3, 1, 1, 30)
    shown = client.get(f"/api/v1/activity/{activity}", headers=headers).get_json()["result"]
    assert shown["remind_at"] == "2026-03-01T01:30:00+00:00"
    assert shown["created_at"].endswith("+00:00")
    done = client.post(f"/api/v1/activity/{activity}/done", json={}, headers=headers)
    assert done.status_code == 200 and done.get_json()["result"]["done_at"].endswith("+00:00")
    assert_error(client.post(f"/api/v1/activity/{activity}/done", json={}, headers=headers), 409)
    # filters take the same form
    q = prison.dumps({"filters": [{"col": "remind_at", "opr": "gt",
                                   "value": "2026-03-01T09:00:00+08:00"}]})
    assert client.get("/api/v1/activity/", query_string={"q": q},
                      headers=headers).get_json()["ids"] == [activity]
    q = prison.dumps({"filters": [{"col": "remind_at", "opr": "gt",
                                   "value": "2026-03-01T09:00:00"}]})
    assert_error(client.get("/api/v1/activity/", query_string={"q": q}, headers=headers), 400)
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()["components"]["schemas"]
    assert spec["ActivityApi.get"]["properties"]["remind_at"]["format"] == "date-time"


@WITH_SALES
def test_decimals_and_integers_fit_their_column(crm):
    """A decimal wider than its column or an integer beyond 32 bits reached
    PostgreSQL (a DataError: 500); the spec says decimals are text."""
    _, client, headers = crm
    for rate in ("1e30", "123456789", "NaN", "abc", True):
        body = assert_error(client.post("/api/v1/tax/", json={"name": "x", "rate": rate},
                                        headers=headers), 422)
        assert "rate" in body["errors"]
    for places in (2**31, 2.5, "3"):  # 2.5 was stored as 2
        body = assert_error(client.post("/api/v1/currency/", headers=headers, json={
            "code": "XAU", "name": "Gold", "decimal_places": places}), 422)
        assert "decimal_places" in body["errors"]
    resp = client.post("/api/v1/tax/", json={"name": "Reduced", "rate": "0.05"}, headers=headers)
    assert resp.status_code == 201 and resp.get_json()["result"]["rate"] == "0.05"
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    assert "required" not in spec["components"]["schemas"]["TaxApi.put"]  # PUT: what it sends
    rate = spec["components"]["schemas"]["TaxApi.post"]["properties"]["rate"]
    assert rate["type"] == "string" and rate["format"] == "decimal" and "pattern" in rate
    listed = spec["paths"]["/api/v1/tax/"]["get"]["responses"]["200"]["content"]
    assert listed["application/json"]["schema"]["properties"]["ids"]["items"]["type"] \
        == "integer"


def test_contains_filters_treat_percent_and_underscore_as_characters(api):
    """`opr:ct` with `%` matched every row (FAB's LIKE pattern took the value as
    it is); the same on the HTML list's filters and search box."""
    app, client, headers, _ = api
    for title in ("50% off", "a_b", "axb", "a\\b"):
        assert client.post(NOTES, json={"title": title}, headers=headers).status_code == 201

    def titles(opr, value):
        q = prison.dumps({"filters": [{"col": "title", "opr": opr, "value": value}]})
        resp = client.get(NOTES, query_string={"q": q}, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return sorted(r["title"] for r in resp.get_json()["result"])

    assert titles("ct", "%") == ["50% off"]
    assert titles("ct", "_") == ["a_b"]
    assert titles("sw", "a_") == ["a_b"]
    assert titles("ew", "%") == []
    assert titles("ct", "\\") == ["a\\b"]
    assert titles("nct", "_") == sorted(["50% off", "axb", "a\\b", "first"])
    assert titles("ct", "x") == ["axb"]  # ordinary text still matches

    from tests.helpers import login

    browser = app.test_client()
    login(browser, "boss")
    for index, value, expected in ((2, "%", {"50% off"}), (2, "_", {"a_b"}),
                                   (0, "a_", {"a_b"})):  # 0: starts with, 2: contains
        page = browser.get(f"/noteview/list/?_flt_{index}_title={value.replace('%', '%25')}")
        html = page.get_data(as_text=True)
        shown = {t for t in ("50% off", "a_b", "axb", "first") if f">{t}<" in html}
        assert shown == expected, (value, shown)


@WITH_SALES
def test_nul_in_action_bodies_and_query_arguments(crm):
    """Hand-written actions stored the text they were given, and PostgreSQL
    refused a NUL in it (a 500), as in any query argument it compared."""
    _, client, headers = crm
    lead = client.post("/api/v1/lead/", json={"name": "Big deal"}, headers=headers).get_json()
    order = client.post("/api/v1/salesorder/", json={"currency_id": 1}, headers=headers)
    assert order.status_code == 201, order.get_data(as_text=True)
    for url, body, field in (
            (f"/api/v1/lead/{lead['id']}/mark_lost", {"lost_reason_id": 1, "note": "x\x00"},
             "note"),
            (f"/api/v1/salesorder/{order.get_json()['id']}/cancel", {"reason": "a\x00b"},
             "reason"),
            ("/api/v1/salesorder/", {"currency_id": 1, "lines": [
                {"product_id": 1, "quantity": "1", "description": "\x00"}]},
             "lines.0.description")):
        body = assert_error(client.post(url, json=body, headers=headers), 422)
        assert list(body["errors"]) == [field], body
    for url in ("/api/v1/pricing/quote?product_id=1&currency=a%00b",
                "/api/v1/company/?q=(filters:!((col:name,opr:search,value:'a%00b')))",
                "/api/v1/lead/?x%00=1"):
        assert_error(client.get(url, headers=headers), 400)
    shown = client.get(f"/api/v1/lead/{lead['id']}", headers=headers).get_json()["result"]
    assert shown["status"] == "open"


@WITH_SALES
def test_order_input_that_no_column_holds_is_400(crm):
    """Ids beyond 64 bits (SQLite: OverflowError) or 32 (PostgreSQL), an owner
    that does not exist (a foreign key) and amounts wider than Numeric(18, 4)
    reached the database from POST /api/v1/salesorder/: 500."""
    _, client, headers = crm
    product = client.post("/api/v1/product/", headers=headers, json={
        "code": "HUGE-1", "name": "Widget", "list_price": "10", "currency": 1})
    assert product.status_code == 201, product.get_data(as_text=True)
    line = {"product_id": product.get_json()["id"], "quantity": "2", "unit_price": "9.5"}
    for body, field in (
            ({"currency_id": 23557434299}, "currency_id"),
            ({"currency_id": 1, "lead_id": -722476139449538171633664}, "lead_id"),
            ({"currency_id": 1, "person_id": 2**31}, "person_id"),
            ({"currency_id": 1, "owner_id": 424242}, "owner_id"),
            ({"currency_id": 1, "lines": [{**line, "sequence": 2**40}]}, "sequence"),
            ({"currency_id": 1, "lines": [{**line, "quantity": "1e15"}]}, "quantity"),
            ({"currency_id": 1, "lines": [{**line, "quantity": "9999999",
                                            "unit_price": "99999999"}]}, "unit_price"),
            ({"currency_id": 1, "lines": [{**line, "quantity": "99999999999",
                                            "unit_price": "999"}] * 2}, "lines")):
        body = assert_error(client.post("/api/v1/salesorder/", json=body, headers=headers), 400)
        assert body["field"] == field, body
    resp = client.post("/api/v1/salesorder/", json={"currency_id": 1, "lines": [line]},
                       headers=headers)
    assert resp.status_code == 201 and resp.get_json()["result"]["amount_total"] == "19.0000"
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    created = spec["paths"]["/api/v1/salesorder/"]["post"]["responses"]["201"]["content"]
    assert created["application/json"]["schema"]["properties"]["result"]["$ref"] \
        .endswith("/OrderApi.get")  # the order as GET answers it, not the body written
    assert spec["components"]["schemas"]["OrderApi.get"]["properties"]["amount_total"][
        "type"] == "string"
