"""The streamed companies export gives its connection back when the stream
ends or the client goes away, not when the garbage collector gets to it: an
open transaction would make PostgreSQL's DROP COLUMN (an addon's uninstall)
wait behind it."""
from __future__ import annotations

import gc

import pytest
from sqlalchemy import insert, text

from core.db import db

pytestmark = pytest.mark.addons("contacts")


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()  # only closing the stream may give the connection back
    yield
    gc.enable()


def idle_in_transaction(app) -> list:
    """The app database's sessions idle inside a transaction (PostgreSQL)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return []
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")).all()


def test_export_gives_its_connection_back(app, client_as, no_gc):
    from addons.contacts.models import Company

    with app.app_context():
        db.session.execute(insert(Company), [{"name": f"Co {n:04d}", "active": True}
                                             for n in range(1200)])
        db.session.commit()
        pool = db.engine.pool
    admin = client_as("Admin")
    base = pool.checkedout()

    # read to the end
    resp = admin.get("/companyview/export/csv", buffered=False)
    assert resp.status_code == 200
    body = b"".join(resp.response)
    resp.close()
    assert body.count(b"\n") == 1201
    assert pool.checkedout() == base and idle_in_transaction(app) == []

    # the client goes away after the first rows
    resp = admin.get("/companyview/export/csv", buffered=False)
    chunks = iter(resp.response)
    next(chunks), next(chunks)
    resp.close()
    assert pool.checkedout() == base and idle_in_transaction(app) == []

    with app.app_context():  # what an addon's uninstall does, without waiting
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        db.session.execute(text("ALTER TABLE contacts_company ADD COLUMN probe INTEGER"))
        db.session.execute(text("ALTER TABLE contacts_company DROP COLUMN probe"))
        db.session.commit()
