"""permissions version

Revision ID: 0012_permissions_version
Revises: 0011_addon_external_ids
Create Date: 2026-12-05

A counter bumped by every change to roles, permissions and views
(core/security/permission_cache.py): each process keeps the roles'
permissions while it stands still, and reads them again when it moves.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_permissions_version'
down_revision = '0011_addon_external_ids'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('crossdock_permissions_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table('crossdock_permissions_version')
