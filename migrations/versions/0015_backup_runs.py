"""backups: a row per backup taken (core/backup/history.py)

Revision ID: 0015_backup_runs
Revises: 0014_audit_erasure_marker
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_backup_runs'
down_revision = '0014_audit_erasure_marker'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'crossdock_backup_run',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
        sa.Column('trigger', sa.String(16), nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('path', sa.String(1000), nullable=False),
        sa.Column('size_bytes', sa.BigInteger()),
        sa.Column('error', sa.Text()),
    )
    op.create_index('ix_crossdock_backup_run_finished_at', 'crossdock_backup_run', ['finished_at'])


def downgrade() -> None:
    op.drop_index('ix_crossdock_backup_run_finished_at', table_name='crossdock_backup_run')
    op.drop_table('crossdock_backup_run')
