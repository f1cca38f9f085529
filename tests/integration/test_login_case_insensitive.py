"""User names are one name whatever their case: login, throttling and user creation."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.users import UserError, create_user
from tests.helpers import PASSWORD, add_user, form_login, login, rest_login


def test_any_case_logs_in_on_both_paths(app):
    add_user(app, "demo.mueller", ["Salesperson"])
    resp = rest_login(app.test_client(), "DEMO.Mueller", PASSWORD)
    assert resp.status_code == 200 and resp.get_json()["access_token"]
    assert form_login(app.test_client(), "Demo.Mueller", PASSWORD).status_code == 302


def test_failures_in_every_case_count_against_one_name(app):
    add_user(app, "demo.mueller", ["Salesperson"])
    client = app.test_client()
    for name in ("demo.mueller", "DEMO.MUELLER", "Demo.Mueller", "demo.MUELLER"):
        assert rest_login(client, name, "wrong").status_code == 401
    assert form_login(client, "dEmO.mUeLlEr", "wrong").status_code in (200, 302)
    # five failures: locked, whichever case the right password comes in
    for name in ("demo.mueller", "DEMO.MUELLER"):
        resp = rest_login(client, name, PASSWORD)
        assert resp.status_code == 429
        assert "access_token" not in (resp.get_json() or {})
        assert form_login(client, name, PASSWORD).status_code == 429


def test_a_user_name_differing_only_by_case_is_refused(app):
    add_user(app, "victim", ["Salesperson"])
    add_user(app, "boss", ["Admin"])
    with app.app_context():
        with pytest.raises(UserError):
            create_user(app.appbuilder.sm, "VICTIM", "v2@example.com", PASSWORD,
                        ["Salesperson"])
        role_id = app.appbuilder.sm.find_role("Salesperson").id
        other_id = app.appbuilder.sm.find_user(username="boss").id

    client = app.test_client()
    token = login(client, "boss")
    form = {"first_name": "V", "last_name": "Two", "username": "Victim", "active": "y",
            "email": "v2@example.com", "roles": str(role_id), "password": PASSWORD,
            "conf_password": PASSWORD, "csrf_token": token}
    resp = client.post("/users/add", data=form)
    assert resp.status_code == 200  # the form again, with the error
    assert "already exists" in resp.get_data(as_text=True).lower()
    # renaming another user to a case variant is refused as well; its own name is fine
    form.update(username="VICTIM", email="boss@example.com")
    del form["password"], form["conf_password"]
    resp = client.post(f"/users/edit/{other_id}", data=form)
    assert resp.status_code == 200
    assert "already exists" in resp.get_data(as_text=True).lower()
    form.update(username="BOSS")
    assert client.post(f"/users/edit/{other_id}", data=form).status_code == 302

    with app.app_context():
        names = sorted(u.username for u in app.appbuilder.sm.get_all_users())
        assert names == ["BOSS", "victim"]
        # the database refuses it too, whatever writes the row
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO ab_user (first_name, last_name, username, email, active)"
                " VALUES ('x', 'y', 'ViCtIm', 'x@example.com', true)"))
        db.session.rollback()
