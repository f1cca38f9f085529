"""Installing sales pulls in contacts, seeds a default pipeline, currencies and
taxes; uninstalling drops every sales table and leaves contacts alone."""
from __future__ import annotations

from sqlalchemy import inspect

from core.addons import lifecycle
from core.db import db
from tests.helpers import install


def test_install_seeds_defaults_and_uninstall_drops_tables(app, tmp_path):
    install(app, "sales")
    with app.app_context():
        from addons.sales.models import Currency, LostReason, Stage, Tax

        stages = db.session.query(Stage).filter_by(team_id=None).order_by(Stage.sequence).all()
        assert [s.name for s in stages][0] == "New" and stages[-1].is_won
        assert db.session.query(LostReason).count() >= 3
        assert [c.code for c in db.session.query(Currency).filter_by(is_base=True)] == ["CNY"]
        assert db.session.query(Tax).filter_by(name="VAT 13%").one().rate == 13
        tables = set(inspect(db.engine).get_table_names())
        assert {"sales_lead", "sales_stage", "contacts_company"} <= tables

        lifecycle.uninstall(db.session, app.extensions["crossdock"].runtime, ["sales"],
                            tmp_path / "backups")
        tables = set(inspect(db.engine).get_table_names())
        assert not {t for t in tables if t.startswith("sales_")}
        assert "contacts_company" in tables
