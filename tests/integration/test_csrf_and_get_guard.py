"""CSRF on every form and cookie-authenticated REST call; no state change through GET;
session cookie flags."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import PASSWORD, add_user, api_token, csrf_token, install, login

pytestmark = pytest.mark.addons("example_notes")


@pytest.fixture
def notes_app(app):
    install(app, "example_notes")
    uid = add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        from example_notes.models import Note

        note = Note(title="keep", owner_id=uid)
        db.session.add(note)
        db.session.commit()
        return app, note.id


def note_count(app):
    with app.app_context():
        from example_notes.models import Note

        return db.session.scalar(select(func.count()).select_from(Note))


def test_form_post_without_csrf_token_is_refused(notes_app):
    app, nid = notes_app
    client = app.test_client()
    token = login(client, "s1")
    assert client.post("/noteview/add", data={"title": "no token"}).status_code == 400
    assert client.post("/noteview/add", data={"title": "bad token", "csrf_token": "x"}
                       ).status_code == 400
    assert client.post(f"/noteview/delete/{nid}").status_code == 400
    assert note_count(app) == 1
    # the same form with its token goes through
    assert client.post("/noteview/add", data={"title": "with token", "csrf_token": token}
                       ).status_code == 302
    assert note_count(app) == 2


def test_rest_with_bearer_token_needs_no_csrf(notes_app):
    app, _ = notes_app
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    assert client.post("/api/v1/note/", json={"title": "api"}, headers=headers
                       ).status_code == 201
    assert note_count(app) == 2


def test_rest_riding_on_the_session_cookie_needs_the_csrf_header(notes_app):
    app, nid = notes_app
    client = app.test_client()
    login(client, "s1")
    assert client.post("/api/v1/note/", json={"title": "cookie"}).status_code == 400
    assert client.put(f"/api/v1/note/{nid}", json={"title": "cookie"}).status_code == 400
    assert client.delete(f"/api/v1/note/{nid}").status_code == 400
    assert note_count(app) == 1


def test_get_cannot_delete(notes_app):
    app, nid = notes_app
    client = app.test_client()
    login(client, "s1")
    assert client.get(f"/noteview/delete/{nid}").status_code == 405
    assert client.get(f"/noteview/action/muldelete/{nid}").status_code == 405
    assert note_count(app) == 1


def _session_cookie(resp) -> str:
    cookies = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


@pytest.mark.parametrize("base_url,secure", [("http://localhost", False),
                                             ("https://localhost", True)])
def test_session_cookie_flags(app, base_url, secure):
    add_user(app, "s1", ["Salesperson"])
    client = app.test_client()
    token = csrf_token(client.get("/login/", base_url=base_url).get_data(as_text=True))
    # over HTTPS Flask-WTF also wants the same-origin Referer a browser sends
    resp = client.post("/login/", base_url=base_url, headers={"Referer": f"{base_url}/login/"},
                       data={"username": "s1", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    cookie = _session_cookie(resp)
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in cookie.lower()
    assert ("secure" in flags) is secure
