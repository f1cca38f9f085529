"""Every migration's revision id fits alembic_version.version_num (VARCHAR(32)):
a longer one migrates on SQLite, which ignores the length, and fails on
PostgreSQL at the last step of an install (seen: '0011_sales_activity_owner_open_team')."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)


def test_every_revision_id_fits_alembic_version():
    scripts = [*ROOT.glob("migrations/versions/*.py"), *ROOT.glob("addons/*/migrations/*.py"),
               *ROOT.glob("tests/addons*/*/migrations/*.py")]
    ids = {p.relative_to(ROOT).as_posix(): m.group(1)
           for p in scripts if (m := REVISION.search(p.read_text(encoding="utf-8")))}
    assert len(ids) > 20  # the platform's, contacts' and sales' at least
    assert {path: rev for path, rev in ids.items() if len(rev) > 32} == {}
