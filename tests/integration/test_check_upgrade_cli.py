"""`crossdock db check-upgrade` before a rolling upgrade: a pending migration
that drops what the running release uses is refused, naming it, unless the
script says it is a contract step; nothing is migrated either way."""
from __future__ import annotations

import os
import subprocess
import textwrap

import pytest
from sqlalchemy import create_engine, text

from core.addons import lifecycle
from core.db import db
from tests.helpers import CROSSDOCK
from tests.integration.test_addon_upgrade import _write_addon

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DROP = textwrap.dedent('''
    from alembic import op
    revision = "0002_versioned_drop"
    down_revision = "0001_versioned"
    branch_labels = None
    depends_on = None
    {phase}
    def upgrade():
        op.drop_table("versioned_item")
    def downgrade():
        pass
''')


def check(tmp_path, database_url, root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(tmp_path / "instance"),
               CROSSDOCK_DATABASE_URL=database_url, CROSSDOCK_ADDONS_PATH=str(root))
    return subprocess.run([CROSSDOCK, "db", "check-upgrade"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_unmarked_contract_step_is_refused(make_app, tmp_path, database_url):
    root = tmp_path / "addons"
    _write_addon(root, "1.0.0", with_second_migration=False)
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["versioned"])
    (root / "versioned" / "__manifest__.py").write_text(
        '{"name": "versioned", "version": "2.0.0", "summary": "Upgrade test"}\n')
    script = root / "versioned" / "migrations" / "0002_drop.py"

    script.write_text(DROP.format(phase=""))
    refused = check(tmp_path, database_url, root)
    assert refused.returncode == 2
    assert refused.stdout == ("versioned 0002_versioned_drop: contracts without saying so "
                              "(line 9: drops a table)\n")
    assert "1 migration(s) would break the code still serving" in refused.stderr

    script.write_text(DROP.format(phase='phase = "contract"'))
    passed = check(tmp_path, database_url, root)
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.startswith("versioned 0002_versioned_drop: contract (line 9: "
                                    "drops a table)")
    with create_engine(database_url).connect() as conn:  # nothing migrated
        assert conn.scalar(text("SELECT count(*) FROM versioned_item")) == 0
        assert "0001_versioned" in conn.scalars(text("SELECT version_num FROM alembic_version")).all()
