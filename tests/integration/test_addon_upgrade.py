"""A newer version on disk shows as 'to upgrade'; upgrading runs its new migrations."""
from __future__ import annotations

import shutil
import textwrap

import pytest
from sqlalchemy import inspect

from core.addons import lifecycle
from core.db import db
from core.views.modules import module_rows


def _write_addon(root, version, with_second_migration):
    addon = root / "versioned"
    (addon / "migrations").mkdir(parents=True, exist_ok=True)
    (addon / "__init__.py").write_text('"""Versioned test addon."""\n')
    (addon / "__manifest__.py").write_text(
        f'{{"name": "versioned", "version": "{version}", "summary": "Upgrade test"}}\n')
    (addon / "migrations" / "0001_base.py").write_text(textwrap.dedent('''
        from alembic import op
        import sqlalchemy as sa
        revision = "0001_versioned"
        down_revision = None
        branch_labels = ("versioned",)
        depends_on = None
        def upgrade():
            op.create_table("versioned_item", sa.Column("id", sa.Integer, primary_key=True))
        def downgrade():
            op.drop_table("versioned_item")
    '''))
    if with_second_migration:
        (addon / "migrations" / "0002_code.py").write_text(textwrap.dedent('''
            from alembic import op
            import sqlalchemy as sa
            revision = "0002_versioned"
            down_revision = "0001_versioned"
            branch_labels = None
            depends_on = None
            def upgrade():
                with op.batch_alter_table("versioned_item") as batch:
                    batch.add_column(sa.Column("code", sa.String(20)))
            def downgrade():
                with op.batch_alter_table("versioned_item") as batch:
                    batch.drop_column("code")
        '''))


def _columns(app):
    with app.app_context():
        return {c["name"] for c in inspect(db.engine).get_columns("versioned_item")}


def test_upgrade_runs_new_migrations(make_app, tmp_path):
    root = tmp_path / "addons"
    _write_addon(root, "1.0.0", with_second_migration=False)
    old = make_app(addons_paths=(root,))
    with old.app_context():
        lifecycle.install(db.session, old.extensions["crossdock"].runtime, ["versioned"])
    assert _columns(old) == {"id"}

    _write_addon(root, "1.1.0", with_second_migration=True)  # new code deployed
    new = make_app(addons_paths=(root,))
    with new.test_request_context():
        row = next(r for r in module_rows() if r.name == "versioned")
        assert (row.state, row.installed_version, row.available_version) == (
            "to upgrade", "1.0.0", "1.1.0")
        assert lifecycle.upgrade(db.session, new.extensions["crossdock"].runtime) == ["versioned"]
        row = next(r for r in module_rows() if r.name == "versioned")
        assert (row.state, row.installed_version) == ("installed", "1.1.0")
    assert _columns(new) == {"id", "code"}
    shutil.rmtree(root)


def test_addon_appearing_after_start_asks_for_reload(make_app, tmp_path):
    root = tmp_path / "addons"
    root.mkdir()
    app = make_app(addons_paths=(root,))
    _write_addon(root, "1.0.0", with_second_migration=False)
    with app.test_request_context():
        row = next(r for r in module_rows() if r.name == "versioned")
        assert row.state == "reload required"
        with pytest.raises(lifecycle.LifecycleError, match="reload required"):
            lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["versioned"])
