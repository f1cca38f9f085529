"""sales: ERP sync moves to the integration hub

The outbox table sales_order_sync_request and the order's sync_state column
gave way to hub jobs and bindings (connectors/hub): confirming an order now
writes one hub job per active ERP backend in the same transaction, and the
order's ERP state is read from the jobs and bindings. Requests still
unconsumed here had no backend to go to (the hub is new): once a backend is
configured, `crossdock sales erp-resend` queues every confirmed order it has
not seen.

Revision ID: 0008_sales_erp_sync
Revises: 0007_sales_board_index
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_sales_erp_sync'
down_revision = '0007_sales_board_index'
branch_labels = None
depends_on = None
phase = "contract"  # drops the ERP outbox that code before the hub wrote (core/migration_phases.py)

_LIVE = sa.text('consumed_at IS NULL')


def upgrade() -> None:
    op.drop_index('uq_sales_order_sync_live', table_name='sales_order_sync_request',
                  sqlite_where=_LIVE, postgresql_where=_LIVE)
    op.drop_index('ix_sales_order_sync_pending', table_name='sales_order_sync_request')
    op.drop_table('sales_order_sync_request')
    with op.batch_alter_table('sales_order') as batch_op:
        batch_op.drop_column('sync_state')


def downgrade() -> None:
    with op.batch_alter_table('sales_order') as batch_op:
        batch_op.add_column(sa.Column('sync_state', sa.String(length=16), nullable=False,
                                      server_default='none'))
    op.create_table('sales_order_sync_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('consumed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sales_order_sync_pending', 'sales_order_sync_request',
                    ['consumed_at', 'id'], unique=False)
    op.create_index('uq_sales_order_sync_live', 'sales_order_sync_request', ['order_id', 'kind'],
                    unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE)
