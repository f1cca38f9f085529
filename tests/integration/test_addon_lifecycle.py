"""Install, disable, enable, upgrade and uninstall through the lifecycle, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from core.addons import lifecycle
from core.addons.backup import read_backup
from core.addons.models import AddonModule
from core.db import db
from core.security.audit import AuditLog
from tests.helpers import add_user, install, login


def _runtime(app):
    return app.extensions["crossdock"].runtime


def _tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_install_creates_tables_and_serves_pages(app):
    client = app.test_client()
    add_user(app, "boss", ["Admin"])
    login(client, "boss")
    assert client.get("/noteview/list/").status_code == 404
    assert "example_note" not in _tables(app)

    assert install(app, "example_notes") == ["example_notes"]

    assert "example_note" in _tables(app)
    assert client.get("/noteview/list/").status_code == 200
    with app.app_context():
        row = db.session.get(AddonModule, "example_notes")
        assert (row.state, row.installed_version) == ("installed", "1.0.0")
        audit = db.session.scalars(select(AuditLog.action).where(
            AuditLog.model == "Addon", AuditLog.record_id == "example_notes")).all()
        assert audit == ["addon_install"]


def test_second_process_sees_install_and_uninstall(make_app):
    first, second = make_app(), make_app()
    add_user(first, "boss", ["Admin"])
    client = second.test_client()
    login(client, "boss")
    assert client.get("/noteview/list/").status_code == 404
    install(first, "example_notes")
    assert client.get("/noteview/list/").status_code == 200
    with first.app_context():
        lifecycle.disable(db.session, _runtime(first), ["example_notes"])
    assert client.get("/noteview/list/").status_code == 404


def test_uninstall_backs_up_rows_and_drops_tables(app, tmp_path):
    install(app, "example_notes")
    with app.app_context():
        from example_notes.models import Note

        db.session.add(Note(title="keep me"))
        db.session.commit()
        plan = lifecycle.plan_uninstall(db.session, _runtime(app), ["example_notes"])
        assert plan.addons == ["example_notes"] and plan.rows == {"example_note": 1}
        removed, backup = lifecycle.uninstall(db.session, _runtime(app), ["example_notes"],
                                              tmp_path / "backups")
    assert removed == ["example_notes"]
    assert "example_note" not in _tables(app)
    rows = read_backup(backup)
    assert [r["row"]["title"] for r in rows if r["table"] == "example_note"] == ["keep me"]


def test_unknown_addon_is_refused_and_nothing_changes(app):
    with app.app_context():
        with pytest.raises(lifecycle.LifecycleError, match="unknown addon"):
            lifecycle.install(db.session, _runtime(app), ["no_such_addon"])
        assert db.session.scalars(select(AddonModule)).all() == []


def _role_permissions(app, role_name):
    with app.app_context():
        role = app.appbuilder.sm.find_role(role_name)
        return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_roles_get_declared_permissions_only_while_active(app):
    assert ("can_list", "NoteView") not in _role_permissions(app, "Salesperson")
    install(app, "example_notes")
    sales = _role_permissions(app, "Salesperson")
    readonly = _role_permissions(app, "Read-only")
    assert {("can_list", "NoteView"), ("can_add", "NoteView"), ("can_put", "NoteApi"),
            ("menu_access", "Notes")} <= sales
    assert ("can_list", "NoteView") in readonly
    assert ("can_edit", "NoteView") not in readonly and ("can_delete", "NoteApi") not in readonly
    assert ("can_list", "NoteView") not in _role_permissions(app, "Finance")
    with app.app_context():
        lifecycle.disable(db.session, _runtime(app), ["example_notes"])
    for role in ("Salesperson", "Read-only", "Admin"):
        assert not {p for p in _role_permissions(app, role) if p[1] in ("NoteView", "NoteApi")}


def test_rest_endpoints_of_inactive_addon_answer_404(app):
    from tests.helpers import api_token

    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    token = api_token(client, "boss")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/note/", headers=headers).status_code == 404
    install(app, "example_notes")
    assert client.get("/api/v1/note/", headers=headers).status_code == 200
    with app.app_context():
        lifecycle.disable(db.session, _runtime(app), ["example_notes"])
    assert client.get("/api/v1/note/", headers=headers).status_code == 404
    assert client.get("/api/v1/note/_info", headers=headers).status_code == 404
