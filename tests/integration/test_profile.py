"""Every user's own profile (core/views/profile.py): each seeded role sees it
with their roles and team, picks their language, and changes their password
(the current one required, the password rule applied, their other sessions
ended, this one kept)."""
from __future__ import annotations

import pytest

from core.i18n import stored_locale
from core.security.access import SEEDED_ROLES
from tests.helpers import PASSWORD, add_user, csrf_token, form_login, login

NEW = "Fresh-start-2026"


@pytest.mark.parametrize("role", SEEDED_ROLES)
def test_every_role_sees_their_profile_from_the_user_menu(app, role):
    add_user(app, "someone", [role], "North")
    client = app.test_client()
    login(client, "someone")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/profile/"' in home  # the user menu's Profile entry
    resp = client.get("/profile/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="profile-username">someone<' in page
    assert f">{role}<" in page.replace('id="profile-roles">', ">")
    assert 'id="profile-teams">North<' in page


def test_the_profile_asks_for_a_login_first(app):
    resp = app.test_client().get("/profile/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]


def test_a_user_picks_their_language_and_it_sticks(app):
    user_id = add_user(app, "s1", ["Salesperson"])
    client = app.test_client()
    token = login(client, "s1")
    resp = client.post("/profile/language", data={"locale": "zh", "csrf_token": token})
    assert resp.status_code == 302
    assert "我的资料" in client.get("/profile/").get_data(as_text=True)
    with app.app_context():
        assert stored_locale(user_id) == "zh"
    # a fresh login from an English browser keeps it
    other = app.test_client()
    login(other, "s1")
    assert "我的资料" in other.get("/profile/", headers={"Accept-Language": "en"}
                                  ).get_data(as_text=True)


def can_log_in(app, username: str, password: str) -> bool:
    client = app.test_client()
    form_login(client, username, password)
    return client.get("/profile/").status_code == 200


def _change(client, token, current, new, again=None):
    client.post("/profile/password", data={
        "current_password": current, "password": new, "conf_password": again or new,
        "csrf_token": token})
    return client.get("/profile/").get_data(as_text=True)


@pytest.mark.parametrize("current, new, again, why", [
    ("wrong-pass-999", NEW, None, "current password is not right"),
    (PASSWORD, NEW, NEW + "x", "two new passwords differ"),
    (PASSWORD, "short1!", None, "at least 10 characters"),
    (PASSWORD, "onlyletterslong", None, "letters and at least one digit"),
    (PASSWORD, "Password1!", None, "too common"),
    (PASSWORD, "my-s1-password", None, "may not contain the user name"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, current, new, again, why):
    add_user(app, "s1", ["Salesperson"])
    client = app.test_client()
    token = login(client, "s1")
    assert why in _change(client, token, current, new, again)
    assert can_log_in(app, "s1", PASSWORD)  # the old one still works
    assert not can_log_in(app, "s1", new)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    add_user(app, "s1", ["Salesperson"])
    here, elsewhere = app.test_client(), app.test_client()
    token = login(here, "s1")
    login(elsewhere, "s1")
    assert "Password changed" in _change(here, token, PASSWORD, NEW)
    assert here.get("/profile/").status_code == 200  # still logged in here
    assert elsewhere.get("/profile/").status_code == 302  # ended there
    assert can_log_in(app, "s1", NEW)
    assert not can_log_in(app, "s1", PASSWORD)


def test_admins_user_screens_apply_the_same_password_rule(app):
    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    token = login(client, "boss")
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("Salesperson").id
    page = client.post("/users/add", data={
        "first_name": "W", "last_name": "Eak", "username": "weak", "active": "y",
        "email": "weak@example.com", "roles": str(role_id), "password": "weakpass",
        "conf_password": "weakpass", "csrf_token": token}).get_data(as_text=True)
    assert "at least 10 characters" in page
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="weak") is None
    assert csrf_token(page)
