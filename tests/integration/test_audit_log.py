"""The audit log: who changed what, through the HTML screens and REST alike;
nothing logged for a change that did not happen; append-only in the database."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.db import db
from core.security.audit import AuditLog
from tests.helpers import PASSWORD, add_user, api_token, csrf_token, install, login

pytestmark = pytest.mark.addons("example_notes")


def audit_rows(app, **where):
    with app.app_context():
        stmt = select(AuditLog).order_by(AuditLog.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditLog, key) == value)
        return [(r.actor, r.actor_id, r.action, r.model, r.record_id, r.changes, r.request_id)
                for r in db.session.scalars(stmt)]


@pytest.fixture
def notes_app(app):
    install(app, "example_notes")
    users = {"s1": add_user(app, "s1", ["Salesperson"], "A"),
             "s3": add_user(app, "s3", ["Salesperson"], "B"),
             "boss": add_user(app, "boss", ["Admin"])}
    return app, users


def note_id(app, title):
    with app.app_context():
        from example_notes.models import Note

        return db.session.scalars(select(Note.id).where(Note.title == title)).one()


def test_html_create_update_delete_are_logged_with_actor_and_request(notes_app):
    app, users = notes_app
    client = app.test_client()
    token = login(client, "s1")
    fields = {"body": "", "owner": str(users["s1"]), "team": "__None", "parent": "__None",
              "csrf_token": token}
    resp = client.post("/noteview/add", data={"title": "first", **fields},
                       headers={"X-Request-ID": "req-add"})
    assert resp.status_code == 302
    nid = str(note_id(app, "first"))
    resp = client.post(f"/noteview/edit/{nid}", data={"title": "second", **fields},
                       headers={"X-Request-ID": "req-edit"})
    assert resp.status_code == 302

    show = client.get(f"/noteview/show/{nid}").get_data(as_text=True)
    history = show[show.index('id="record-history"'):]
    assert "Record changed" in history and "Record created" in history  # actions' labels
    assert "first" in history and "second" in history

    resp = client.post(f"/noteview/delete/{nid}", data={"csrf_token": token},
                       headers={"X-Request-ID": "req-del"})
    assert resp.status_code == 302

    rows = audit_rows(app, model="Note", record_id=nid)
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        ("s1", users["s1"], "create", "req-add"),
        ("s1", users["s1"], "update", "req-edit"),
        ("s1", users["s1"], "delete", "req-del")]
    created, updated, deleted = (r[5] for r in rows)
    assert created["title"] == [None, "first"] and created["owner_id"] == [None, users["s1"]]
    assert updated["title"] == ["first", "second"]
    assert deleted["title"] == ["second", None]


def test_rest_create_update_delete_are_logged_with_the_token_user(notes_app):
    app, users = notes_app
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    resp = client.post("/api/v1/note/", json={"title": "via api"},
                       headers={**headers, "X-Request-ID": "api-1"})
    assert resp.status_code == 201
    nid = str(resp.get_json()["id"])
    assert client.put(f"/api/v1/note/{nid}", json={"title": "via api 2"},
                      headers=headers).status_code == 200
    assert client.delete(f"/api/v1/note/{nid}", headers=headers).status_code == 200

    rows = audit_rows(app, model="Note", record_id=nid)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("s1", users["s1"], "create"), ("s1", users["s1"], "update"),
        ("s1", users["s1"], "delete")]
    assert rows[0][6] == "api-1"
    assert rows[1][5]["title"] == ["via api", "via api 2"]
    assert rows[1][6] and rows[1][6] != rows[2][6]  # one request id per request


def test_refused_or_rolled_back_changes_leave_no_audit_row(notes_app):
    app, users = notes_app
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 's1')}"}
    nid = client.post("/api/v1/note/", json={"title": "mine"}, headers=headers).get_json()["id"]
    before = audit_rows(app, model="Note")
    # refused by the record rules
    assert client.put(f"/api/v1/note/{nid}", json={"owner": users["s3"]},
                      headers=headers).status_code == 403
    assert client.post("/api/v1/note/", json={"title": "for s3", "owner": users["s3"]},
                       headers=headers).status_code == 403
    assert audit_rows(app, model="Note") == before

    # flushed (so audited) and then rolled back with the rest of the transaction
    with app.app_context():
        from example_notes.models import Note

        db.session.add(Note(title="flushed then lost"))
        db.session.flush()
        db.session.add(Note(title=None))  # NOT NULL: the second flush fails
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(Note).where(
            Note.title == "flushed then lost")).all() == []
    assert audit_rows(app, model="Note") == before


def test_audit_log_is_append_only_in_the_database(notes_app):
    app, _ = notes_app
    login(app.test_client(), "s1")  # leaves a login_success row
    rows = audit_rows(app)
    assert rows
    with app.app_context():
        for statement in ("UPDATE crossdock_audit_log SET actor = 'someone else'",
                          "DELETE FROM crossdock_audit_log"):
            with db.engine.connect() as conn:
                with pytest.raises(DBAPIError, match="append-only"):
                    conn.execute(text(statement))
                conn.rollback()
    assert audit_rows(app) == rows


def test_html_and_rest_logins_are_recorded(notes_app):
    app, _ = notes_app
    client = app.test_client()
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    client.post("/login/", data={"username": "s1", "password": "wrong", "csrf_token": token})
    login(client, "s1")
    client.post("/api/v1/security/login",
                json={"username": "s3", "password": "wrong", "provider": "db"})
    client.post("/api/v1/security/login",
                json={"username": "s3", "password": PASSWORD, "provider": "db"})
    logins = [(r[2], r[4]) for r in audit_rows(app, model="User")
              if r[2].startswith("login_")]
    assert logins == [("login_failure", "s1"), ("login_success", "s1"),
                      ("login_failure", "s3"), ("login_success", "s3")]


def test_audit_screen_is_for_admins_only(notes_app):
    app, _ = notes_app
    admin = app.test_client()
    login(admin, "boss")
    page = admin.get("/auditlogview/list/")
    assert page.status_code == 200
    assert "Logged in" in page.get_data(as_text=True)  # login_success, labelled

    user = app.test_client()
    login(user, "s1")
    resp = user.get("/auditlogview/list/")
    assert resp.status_code in (302, 403)
    assert "login_success" not in resp.get_data(as_text=True)
    with app.app_context():
        first_id = db.session.scalars(select(AuditLog.id).order_by(AuditLog.id)).first()
    assert user.get(f"/auditlogview/show/{first_id}").status_code in (302, 403)
    assert admin.get(f"/auditlogview/show/{first_id}").status_code == 200


def test_background_job_changes_are_logged_under_the_job(notes_app):
    from core.security.actor import Actor, acting_as

    app, users = notes_app
    job = Actor(None, "job:erp-sync", is_system=True)
    with app.app_context(), acting_as(job, request_id="job-42"):
        from example_notes.models import Note

        db.session.add(Note(title="from a job", owner_id=users["s1"]))
        db.session.commit()
    nid = str(note_id(app, "from a job"))
    rows = audit_rows(app, model="Note", record_id=nid)
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [("job:erp-sync", None, "create", "job-42")]
    assert rows[0][5]["title"] == [None, "from a job"]
