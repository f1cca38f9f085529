"""Uninstall sales with data, install it again, `addons restore` the backup: the
leads, orders and the timeline's links to them are back, field by field."""
from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
from sqlalchemy import MetaData, Table, select

from core.addons import lifecycle
from core.addons.restore import RestoreError, restore
from core.db import db
from core.security.audit import AuditLog
from tests.helpers import add_user, install

pytestmark = pytest.mark.addons("sales")


def snapshot(tables: list[str]) -> dict[str, list[dict]]:
    meta = MetaData()
    out = {}
    for name in tables:
        table = Table(name, meta, autoload_with=db.session.connection())
        out[name] = [dict(r) for r in db.session.execute(
            select(table).order_by(*table.primary_key.columns)).mappings()]
    db.session.rollback()
    return out


@pytest.fixture
def sold(app):
    owner = add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services import timeline
        from addons.sales.models import Currency, Lead, Product, SalesOrder, SalesOrderLine

        acme = Company(name="Acme", owner_id=owner)
        lead = Lead(name="Big deal", owner_id=owner, company=acme,
                    expected_revenue=Decimal("1200.50"))
        db.session.add_all([acme, lead])
        db.session.flush()
        currency = db.session.scalars(select(Currency).order_by(Currency.id)).first()
        widget = Product(code="W-1", name="Widget", currency_id=currency.id,
                         list_price=Decimal("9.99"))
        db.session.add(widget)
        db.session.flush()
        order = SalesOrder(number="SO-T-0001", company_id=acme.id, lead_id=lead.id,
                           owner_id=owner, currency_id=currency.id)
        order.lines.append(SalesOrderLine(product_id=widget.id, description="Widget", quantity=Decimal("3"),
                                          unit_price=Decimal("9.99")))
        db.session.add(order)
        db.session.flush()
        timeline.attach(db.session, acme, "note", "Opportunity: Big deal",
                        source=("sales.lead", lead.id), url=f"/opportunities/show/{lead.id}")
        db.session.commit()
    return app


def test_restore_after_reinstall_brings_rows_and_links_back(sold, tmp_path):
    app = sold
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        tables = sorted(runtime.loaded["sales"].tables)
        before = snapshot(tables)
        links = snapshot(["contacts_timeline_entry"])
        assert before["sales_lead"] and before["sales_order"] and before["sales_order_line"]

        removed, backup = lifecycle.uninstall(db.session, runtime, ["sales"], tmp_path / "bk")
        assert removed == ["sales"]
        assert snapshot(["contacts_timeline_entry"]) != links  # unlinked by the uninstall
    install(app, "sales")  # the user's step; it seeds default stages, currencies...
    with app.app_context():
        with pytest.raises(RestoreError, match=r"not empty: .*sales_stage \(\d+ rows\).*--replace"):
            restore(db.session, backup)
        result = restore(db.session, backup, replace=True)
        assert result.rows["sales_lead"] == 1 and result.related == 1

        assert snapshot(tables) == before
        assert snapshot(["contacts_timeline_entry"]) == links
        from addons.sales.models import Lead

        db.session.add(Lead(name="After the restore"))  # ids go on past the restored ones
        db.session.commit()
        event = db.session.scalars(select(AuditLog).where(AuditLog.action == "addon_restore")).one()
        assert event.changes["rows"]["sales_lead"] == 1


def test_restore_refuses_a_column_that_no_longer_exists(sold, tmp_path):
    app = sold
    path = tmp_path / "old.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"table": "sales_lead", "row": {"id": 7, "name": "x",
                                                            "old_field": 1}}) + "\n")
    with app.app_context():
        with pytest.raises(RestoreError, match=r"table sales_lead has no column 'old_field' "
                                               r"\(backup row id=7\)"):
            restore(db.session, path, replace=True)
        assert db.session.scalar(select(Table("sales_lead", MetaData(),
                                              autoload_with=db.engine).c.name)) == "Big deal"


def test_the_restore_command(tmp_path, sqlite_url):
    """`crossdock addons restore FILE`, as an operator runs it after reinstalling."""
    from sqlalchemy import create_engine, text

    from tests.helpers import run_cli

    def notes() -> list:
        engine = create_engine(sqlite_url)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT id, title, parent_id FROM example_note "
                                     "ORDER BY id")).all()
        engine.dispose()
        return rows

    assert run_cli(tmp_path, sqlite_url, "addons", "install", "example_notes").returncode == 0
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO example_note (id, title) VALUES (1, 'Parent')"))
        conn.execute(text("INSERT INTO example_note (id, title, parent_id) VALUES (2, 'Child', 1)"))
    engine.dispose()
    before = notes()
    done = run_cli(tmp_path, sqlite_url, "addons", "uninstall", "example_notes", "--yes")
    assert done.returncode == 0, done.stderr
    backup = done.stdout.split("backup: ", 1)[1].strip()

    early = run_cli(tmp_path, sqlite_url, "addons", "restore", backup)
    assert early.returncode == 2 and "example_note do not exist" in early.stderr
    assert run_cli(tmp_path, sqlite_url, "addons", "install", "example_notes").returncode == 0
    restored = run_cli(tmp_path, sqlite_url, "addons", "restore", backup)
    assert restored.returncode == 0, restored.stderr
    assert "restored 2 row(s) of example_note" in restored.stdout
    assert notes() == before
    again = run_cli(tmp_path, sqlite_url, "addons", "restore", backup)
    assert again.returncode == 2 and "not empty: example_note (2 rows)" in again.stderr
