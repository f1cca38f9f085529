"""hub: bindings that need a person's attention

Revision ID: 0007_hub_binding_attention
Revises: 0006_hub_job_details
Create Date: 2026-12-05

`hub_binding.attention` says why a synced pair needs a look although the
sync worked ("totals_differ": the ERP computed other untaxed, tax or total
amounts than ours), with both figures in `details_json`; indexed for the sync
dashboard's list and filter.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_hub_binding_attention'
down_revision = '0006_hub_job_details'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hub_binding') as batch_op:
        batch_op.add_column(sa.Column('attention', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('details_json', sa.Text(), nullable=True))
        batch_op.create_index('ix_hub_binding_attention', ['attention'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hub_binding') as batch_op:
        batch_op.drop_index('ix_hub_binding_attention')
        batch_op.drop_column('details_json')
        batch_op.drop_column('attention')
