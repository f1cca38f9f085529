"""Expand or contract (core/migration_phases.py): what old code survives, read
from the scripts; every migration in the repository either expands or says it
contracts."""
from __future__ import annotations

import textwrap
from pathlib import Path

from core.migration_phases import contract_operations, declared_phase

ROOT = Path(__file__).resolve().parents[2]


def findings(upgrade_body: str) -> list[str]:
    source = textwrap.dedent('''
        from alembic import op
        import sqlalchemy as sa
        def upgrade():
        {body}
        def downgrade():
            op.drop_table("note_tag")
            op.drop_column("note", "colour")
    ''').format(body=textwrap.indent(textwrap.dedent(upgrade_body), "    "))
    return [f.what for f in contract_operations(source)]


def test_expand_steps_pass():
    assert findings('''
        op.create_table("note_tag", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("name", sa.String(40), nullable=False))
        op.add_column("note", sa.Column("colour", sa.String(8)))
        with op.batch_alter_table("note") as batch:
            batch.add_column(sa.Column("pinned", sa.Boolean, nullable=False,
                                       server_default=sa.false()))
            batch.alter_column("title", nullable=True)
        op.create_index("ix_note_colour", "note", ["colour"])
    ''') == []


def test_contract_steps_are_found_in_upgrade_only():
    assert findings('''
        op.drop_column("note", "legacy")
        with op.batch_alter_table("note") as batch:
            batch.alter_column("body", new_column_name="text")
            batch.alter_column("colour", nullable=False)
            batch.alter_column("size", type_=sa.BigInteger())
            batch.add_column(sa.Column("kind", sa.String(8), nullable=False))
        op.rename_table("note_tag", "tag")
    ''') == ["drops a column", "renames a column", "makes a column NOT NULL",
             "changes a column's type", "adds a NOT NULL column without a server default",
             "renames a table"]


def test_every_migration_in_the_repository_expands_or_says_it_contracts():
    scripts = [*ROOT.glob("migrations/versions/*.py"), *ROOT.glob("addons/*/migrations/*.py"),
               *ROOT.glob("tests/addons/*/migrations/*.py")]
    assert len(scripts) > 20
    unmarked = {}
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        found = contract_operations(source)
        if found and declared_phase(source) != "contract":
            unmarked[path.relative_to(ROOT).as_posix()] = [str(f) for f in found]
    assert unmarked == {}
