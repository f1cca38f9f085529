"""audit log: index (model, id)

Revision ID: 0013_audit_model_id
Revises: 0012_permissions_version
Create Date: 2026-12-05

The newest audit row of a model in one index probe: the version of the data
that cached figures (sales' dashboard) were computed from.
"""
from alembic import op

revision = '0013_audit_model_id'
down_revision = '0012_permissions_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_crossdock_audit_log_model_id', 'crossdock_audit_log', ['model', 'id'])


def downgrade() -> None:
    op.drop_index('ix_crossdock_audit_log_model_id', table_name='crossdock_audit_log')
