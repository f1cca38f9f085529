"""sales: cancelling a synced order is a request until the ERP confirms it

A confirmed order an ERP has (or may have) stays confirmed while its
cancellation is pending (`cancel_status` "pending", who asked and when); it
becomes cancelled when every ERP cancelled it, or stays confirmed with
`cancel_status` "refused" and the ERP's reason in `cancel_refusal`
(services/orders/order_states.py, services/erp/cancel.py). Indexed for Finance's
list of pending and refused cancellations.

Revision ID: 0009_sales_cancel_requests
Revises: 0008_sales_erp_sync
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_sales_cancel_requests'
down_revision = '0008_sales_erp_sync'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sales_order') as batch_op:
        batch_op.add_column(sa.Column('cancel_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_refusal', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_sales_order_cancel_requested_by_id_ab_user',
                                    'ab_user', ['cancel_requested_by_id'], ['id'])
        batch_op.create_index('ix_sales_order_cancel_status', ['cancel_status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales_order') as batch_op:
        batch_op.drop_index('ix_sales_order_cancel_status')
        batch_op.drop_constraint('fk_sales_order_cancel_requested_by_id_ab_user',
                                 type_='foreignkey')
        batch_op.drop_column('cancel_refusal')
        batch_op.drop_column('cancel_requested_by_id')
        batch_op.drop_column('cancel_requested_at')
        batch_op.drop_column('cancel_status')
