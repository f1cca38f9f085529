"""/healthz and /readyz as a load balancer sees them: no cookie, no audit row,
503 naming what is not ready (a database behind the code's migrations, a
broker that does not answer), 200 again once it is."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.addons import lifecycle
from core.db import db
from core.security.audit import AuditLog
from core.serving import probes
from tests.integration.test_addon_upgrade import _write_addon
from tests.integration.test_hub_screens import closed_port


@pytest.fixture(autouse=True)
def fresh_every_probe(monkeypatch):
    monkeypatch.setattr(probes, "CACHE_SECONDS", 0.0)


def _audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog))


def test_probes_answer_without_session_or_audit(app):
    client = app.test_client()
    before = _audit_rows(app)
    health = client.get("/healthz")
    ready = client.get("/readyz")
    assert (health.status_code, health.get_json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "broker": "ok"}}  # broker: embedded
    for resp in (health, ready):
        assert "Set-Cookie" not in resp.headers
    assert _audit_rows(app) == before


def test_database_behind_the_code_is_not_ready_until_upgraded(make_app, tmp_path):
    root = tmp_path / "addons"
    _write_addon(root, "1.0.0", with_second_migration=False)
    old = make_app(addons_paths=(root,))
    with old.app_context():
        lifecycle.install(db.session, old.extensions["crossdock"].runtime, ["versioned"])
    assert old.test_client().get("/readyz").status_code == 200

    _write_addon(root, "1.1.0", with_second_migration=True)  # new code, database not migrated
    new = make_app(addons_paths=(root,))
    resp = new.test_client().get("/readyz")
    assert resp.status_code == 503
    checks = resp.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"] == ("behind the code: versioned (run 'crossdock db upgrade')")
    # the old code still serving beside it: the database is ahead of it, which it tolerates
    assert old.test_client().get("/readyz").status_code == 200

    with new.app_context():
        lifecycle.upgrade(db.session, new.extensions["crossdock"].runtime)
    assert new.test_client().get("/readyz").status_code == 200
    assert old.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_broker_that_does_not_answer_is_named(make_app, redis):
    assert make_app(broker_url=redis.url).test_client().get("/readyz").status_code == 200
    resp = make_app(broker_url=f"redis://127.0.0.1:{closed_port()}/0").test_client().get(
        "/readyz")
    assert resp.status_code == 503
    checks = resp.get_json()["checks"]
    assert (checks["database"], checks["migrations"]) == ("ok", "ok")
    assert checks["broker"].startswith("ConnectionError")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_database_that_does_not_answer_is_named(app):
    from sqlalchemy import create_engine

    gone = create_engine(f"postgresql+psycopg://crossdock@127.0.0.1:{closed_port()}/crossdock")
    probe = app.extensions["crossdock_probes"]
    probe._reader = gone  # the app's database server went away
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    checks = resp.get_json()["checks"]
    assert checks["database"].startswith("OperationalError")
    assert checks["migrations"] == "not checked: no database"
    assert app.test_client().get("/healthz").status_code == 200  # the process still serves


def test_older_release_restarting_on_a_newer_schema_serves_it(make_app):
    """A process of the release being replaced (a gunicorn worker recycled) starts
    after the new release's expand migrations: it migrates nothing and is ready."""
    from sqlalchemy import text

    app = make_app()
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0099_next_release' "
                                "WHERE version_num LIKE '00%'"))  # the platform's head
        db.session.commit()
    again = make_app()
    assert again.test_client().get("/readyz").get_json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "broker": "ok"}}
