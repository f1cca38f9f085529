"""Login throttling: the HTML form and the REST login share one failure count per user name."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.security.audit import AuditLog
from tests.helpers import PASSWORD, add_user, form_login, rest_login


def login_events(app, username):
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).where(
            AuditLog.model == "User", AuditLog.record_id == username,
            AuditLog.action.like("login_%")).order_by(AuditLog.id)))


def test_failures_block_both_login_paths_for_that_user_only(make_app):
    app = make_app(login_max_failures=3)
    add_user(app, "victim", ["Salesperson"])
    add_user(app, "other", ["Salesperson"])
    client = app.test_client()

    # under the limit a wrong password is an ordinary failure (form: back to the form)
    assert form_login(client, "victim", "wrong-1").status_code in (200, 302)
    assert form_login(client, "victim", "wrong-2").status_code in (200, 302)
    assert rest_login(client, "victim", "wrong-3").status_code == 401

    # the limit is reached, whichever path counted the failures: even the right password waits
    resp = form_login(client, "victim", PASSWORD)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    resp = rest_login(client, "victim", PASSWORD)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert "access_token" not in (resp.get_json() or {})
    # the refused attempts never reached the password check
    assert login_events(app, "victim") == ["login_failure"] * 3

    # another user name is not affected
    other = app.test_client()
    assert rest_login(other, "other", PASSWORD).status_code == 200
    resp = form_login(other, "other", PASSWORD)
    assert resp.status_code == 302
    assert login_events(app, "other") == ["login_success"] * 2


def test_successful_login_under_the_limit_resets_the_count(make_app):
    app = make_app(login_max_failures=3)
    add_user(app, "forgetful", ["Salesperson"])
    client = app.test_client()
    for attempt in range(2):
        assert rest_login(client, "forgetful", f"wrong-{attempt}").status_code == 401
    assert rest_login(client, "forgetful", PASSWORD).status_code == 200
    for attempt in range(2):
        assert rest_login(client, "forgetful", f"again-{attempt}").status_code == 401
    assert rest_login(client, "forgetful", PASSWORD).status_code == 200
