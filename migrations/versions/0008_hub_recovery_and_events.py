"""hub: who holds a claim, and event counts for /metrics

Revision ID: 0008_hub_recovery_and_events
Revises: 0007_hub_binding_attention
Create Date: 2026-12-05

`hub_job.lease_holder` (host:pid:process start time) lets a restarted
process on the same host take back its dead predecessor's claims at once
instead of after the lease (connectors/hub/recovery.py). `hub_event_count`
counts retries, lease expiries, re-sends and recoveries per backend, written
in the transaction that does them (connectors/hub/event_counts.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_hub_recovery_and_events'
down_revision = '0007_hub_binding_attention'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hub_job') as batch_op:
        batch_op.add_column(sa.Column('lease_holder', sa.String(length=128), nullable=True))
    op.create_table('hub_event_count',
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('backend_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event', 'backend_id')
    )


def downgrade() -> None:
    op.drop_table('hub_event_count')
    with op.batch_alter_table('hub_job') as batch_op:
        batch_op.drop_column('lease_holder')
