"""Logout, a new password and deactivation end a user's sessions on the server:
a session cookie copied before, and JWTs issued before, stop working."""
from __future__ import annotations

from core.db import db
import pytest

from tests.helpers import PASSWORD, add_user, api_token, csrf_token, install, login

PROTECTED = "/users/userinfo/"
NEW_PASSWORD = "Another-pass-456"


@pytest.fixture
def app(app):
    install(app, "example_notes")  # a REST resource to call with the tokens
    return app


def logged_in(client) -> bool:
    resp = client.get(PROTECTED)
    assert resp.status_code in (200, 302), resp.status_code
    return resp.status_code == 200


def copy_of(app, client):
    """Another browser holding the same session cookie (as a thief would)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def tokens(client, username: str, password: str = PASSWORD) -> tuple[str, str]:
    body = client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True},
    ).get_json()
    return body["access_token"], body["refresh_token"]


def api_answers(client, token: str) -> int:
    return client.get("/api/v1/note/",
                      headers={"Authorization": f"Bearer {token}"}).status_code


def refresh_answers(client, refresh_token: str) -> int:
    return client.post("/api/v1/security/refresh",
                       headers={"Authorization": f"Bearer {refresh_token}"}).status_code


def test_a_cookie_copied_before_logout_is_logged_out_too(app):
    add_user(app, "s1", ["Admin"])
    client = app.test_client()
    login(client, "s1")
    stolen = copy_of(app, client)
    assert logged_in(stolen)
    access, refresh = tokens(app.test_client(), "s1")

    assert client.get("/logout/").status_code == 302
    assert not logged_in(client)
    assert not logged_in(stolen)
    # logout ends the user's tokens as well
    assert api_answers(app.test_client(), access) == 401
    assert refresh_answers(app.test_client(), refresh) == 401

    # a new login works as before
    login(client, "s1")
    assert logged_in(client)
    assert api_answers(app.test_client(), api_token(app.test_client(), "s1")) == 200


def test_a_password_reset_by_an_admin_ends_the_users_sessions_and_tokens(app):
    uid = add_user(app, "s1", ["Admin"])
    add_user(app, "boss", ["Admin"])
    victim = app.test_client()
    login(victim, "s1")
    access, refresh = tokens(app.test_client(), "s1")
    assert api_answers(app.test_client(), access) == 200

    admin = app.test_client()
    login(admin, "boss")
    form = f"/resetpassword/form?pk={uid}"
    token = csrf_token(admin.get(form).get_data(as_text=True))
    assert admin.post(form, data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
                                  "csrf_token": token}).status_code == 302

    assert not logged_in(victim)
    assert api_answers(app.test_client(), access) == 401
    assert refresh_answers(app.test_client(), refresh) == 401
    assert logged_in(admin)  # the admin's own session is untouched
    login(victim, "s1", NEW_PASSWORD)
    assert logged_in(victim)


def test_changing_ones_own_password_keeps_only_this_session(app):
    add_user(app, "s1", ["Admin"])
    client = app.test_client()
    token = login(client, "s1")
    elsewhere = app.test_client()
    login(elsewhere, "s1")
    access, _ = tokens(app.test_client(), "s1")

    assert client.post("/resetmypassword/form", data={
        "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD, "csrf_token": token,
    }).status_code == 302
    assert logged_in(client)
    assert not logged_in(elsewhere)
    assert api_answers(app.test_client(), access) == 401


def test_deactivating_a_user_ends_their_sessions_for_good(app):
    uid = add_user(app, "s1", ["Admin"])
    client = app.test_client()
    login(client, "s1")
    access, _ = tokens(app.test_client(), "s1")
    with app.app_context():
        user = app.appbuilder.sm.get_user_by_id(uid)
        user.active = False
        db.session.commit()
        assert not logged_in(client)
        user = app.appbuilder.sm.get_user_by_id(uid)
        user.active = True
        db.session.commit()
    # active again: the sessions and tokens from before stay ended
    assert not logged_in(client)
    assert api_answers(app.test_client(), access) == 401
