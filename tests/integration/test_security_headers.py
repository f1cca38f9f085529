"""Every response carries the security headers: pages, the login form, REST
answers, static files, errors and refused writes alike."""
from __future__ import annotations

from core.security.security_headers import HEADERS
from tests.helpers import add_user, api_token, install, login


def assert_headers(resp):
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, (name, resp.status_code)


def test_every_kind_of_response_has_them(app):
    install(app, "example_notes")
    add_user(app, "s1", ["Salesperson"], "A")
    add_user(app, "s3", ["Salesperson"], "B")
    client = app.test_client()
    assert_headers(client.get("/login/"))
    assert_headers(client.get("/static/appbuilder/css/ab.css"))
    assert_headers(client.get("/no/such/page"))
    assert_headers(client.get("/api/v1/note/"))  # 401 JSON
    login(client, "s1")
    assert_headers(client.get("/noteview/list/"))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(api, 's1')}"}
    s3 = api.get("/api/v1/note/", headers=headers)
    assert_headers(s3)
    created = api.post("/api/v1/note/", headers=headers, json={"title": "mine"})
    assert created.status_code == 201
    refused = api.put(f"/api/v1/note/{created.get_json()['id']}", headers=headers,
                      json={"owner": 2})  # s3: outside s1's scope
    assert refused.status_code == 403
    assert_headers(refused)

    csp = HEADERS["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'self'",
                      "form-action 'self'", "frame-ancestors 'none'"):
        assert directive in csp
