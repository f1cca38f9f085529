"""A timeline entry never links to a deleted record: deleting a sales record
unlinks its entries (they stay as history), uninstalling sales unlinks them all,
and the uninstall backup keeps them as they were."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.addons import lifecycle
from core.addons.backup import read_backup
from core.db import db
from tests.helpers import add_user

pytestmark = pytest.mark.addons("sales")


@pytest.fixture
def linked(app):
    owner = add_user(app, "s1", ["Salesperson"], "A")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services import timeline
        from addons.sales.models import Lead

        acme = Company(name="Acme", owner_id=owner)
        kept, doomed = (Lead(name="Kept deal", owner_id=owner, company=acme),
                        Lead(name="Doomed deal", owner_id=owner, company=acme))
        db.session.add_all([acme, kept, doomed])
        db.session.flush()
        for lead in (kept, doomed):
            timeline.attach(db.session, acme, "note", f"Opportunity: {lead.name}",
                            source=("sales.lead", lead.id), url=f"/opportunities/show/{lead.id}")
        db.session.commit()
        return {"acme": acme.id, "kept": kept.id, "doomed": doomed.id}


def _entries():
    from addons.contacts.models.timeline_entry import TimelineEntry

    return {e.subject: (e.source_model, e.source_id, e.url)
            for e in db.session.scalars(select(TimelineEntry))}


def test_deleting_a_lead_unlinks_its_entries_and_keeps_them(app, linked):
    from addons.sales.models import Lead

    with app.app_context():
        db.session.delete(db.session.get(Lead, linked["doomed"]))
        db.session.commit()
        entries = _entries()
        assert entries["Opportunity: Doomed deal"] == (None, None, None)
        assert entries["Opportunity: Kept deal"] == (
            "sales.lead", str(linked["kept"]), f"/opportunities/show/{linked['kept']}")


def test_detach_returns_how_many_entries_it_unlinked(app, linked):
    from addons.contacts.services import timeline

    with app.app_context():
        assert timeline.detach(db.session, source=("sales.lead", linked["kept"])) == 1
        assert timeline.detach(db.session, source=("sales.lead", 10**9)) == 0


def test_uninstalling_sales_backs_up_and_unlinks_its_entries(app, linked, tmp_path):
    with app.app_context():
        removed, backup = lifecycle.uninstall(
            db.session, app.extensions["crossdock"].runtime, ["sales"], tmp_path / "backups")
        assert removed == ["sales"]
        related = [r for r in read_backup(backup) if r.get("related")]
        assert sorted(r["row"]["subject"] for r in related) == [
            "Opportunity: Doomed deal", "Opportunity: Kept deal"]
        assert {r["table"] for r in related} == {"contacts_timeline_entry"}
        assert all(link == (None, None, None) for link in _entries().values())
