"""hub: inbound events, stored raw before they are processed

Revision ID: 0009_hub_inbound_event
Revises: 0008_hub_recovery_and_events
Create Date: 2026-12-05

`hub_inbound_event` keeps what a remote sent us (a webhook, a notification,
a mail) as it came, one row per (source, external id) so a second delivery
is a no-op; a hub job of kind "inbound.<source>" processes it
(connectors/hub/inbound.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_hub_inbound_event'
down_revision = '0008_hub_recovery_and_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_inbound_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=56), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'external_id', name='uq_hub_inbound_event_source')
    )


def downgrade() -> None:
    op.drop_table('hub_inbound_event')
