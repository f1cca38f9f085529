"""`crossdock addons revision` and extension columns: the columns tests/addons/visits
adds to contacts' companies belong to visits' branch, never to contacts'."""
from __future__ import annotations

import pytest
from alembic.autogenerate import render_python_code
from sqlalchemy import text

from core.db import db
from core.devtools import revision
from tests.helpers import install

pytestmark = pytest.mark.addons("contacts")


def changes(app, name) -> str:
    with app.app_context():
        ops = revision.compare(db.session, app.extensions["crossdock"].runtime, name)
        return "" if ops.upgrade_ops.is_empty() else render_python_code(ops.upgrade_ops)


def test_extension_columns_go_to_the_extending_addons_branch(app):
    # visits is mounted, not installed: its columns are mapped on Company but absent
    assert "visit" not in changes(app, "contacts")

    install(app, "visits")
    assert "visit" not in changes(app, "contacts")
    assert changes(app, "visits") == ""  # its migration matches its extension
    with app.app_context():
        db.session.execute(text("ALTER TABLE contacts_company DROP COLUMN last_visit"))
        db.session.commit()
    assert "visit" not in changes(app, "contacts")  # visits' column is gone, not contacts'
    upgrade = changes(app, "visits")
    assert "add_column('contacts_company', sa.Column('last_visit', sa.Date()" in upgrade
    assert upgrade.count("op.") == 1  # nothing else of contacts' table



def test_contacts_revision_on_a_fresh_database_is_empty(app):
    # the search tables' dialect-specific indexes (migration 0007) are named
    # in the tables' info["migration_indexes"] (models/search_index.py)
    assert changes(app, "contacts") == ""

    # only those: another index on the same table is still a difference
    with app.app_context():
        db.session.execute(text("CREATE INDEX ix_contacts_company_search_stray "
                                "ON contacts_company_search (name)"))
        db.session.commit()
    upgrade = changes(app, "contacts")
    assert "drop_index(op.f('ix_contacts_company_search_stray')" in upgrade
    assert upgrade.count("\n    op.") == 1  # one command
