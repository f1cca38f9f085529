"""sales: quotations and orders, their lines, the number sequence and the
ERP sync outbox (sales_order_sync_request).

Revision ID: 0002_sales_orders
Revises: 0001_sales
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_sales_orders'
down_revision = '0001_sales'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_order_sequence',
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('next_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('sales_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=True),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('validity_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('amount_untaxed', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_tax', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('sync_state', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_lead.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['price_list_id'], ['sales_price_list.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index(op.f('ix_sales_order_company_id'), 'sales_order', ['company_id'], unique=False)
    op.create_index(op.f('ix_sales_order_lead_id'), 'sales_order', ['lead_id'], unique=False)
    op.create_index('ix_sales_order_owner_state', 'sales_order', ['owner_id', 'state'], unique=False)
    op.create_index(op.f('ix_sales_order_person_id'), 'sales_order', ['person_id'], unique=False)
    op.create_index('ix_sales_order_state', 'sales_order', ['state'], unique=False)
    op.create_index('ix_sales_order_team_state', 'sales_order', ['team_id', 'state'], unique=False)
    op.create_table('sales_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('discount', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('tax_id', sa.Integer(), nullable=True),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('price_include', sa.Boolean(), nullable=False),
    sa.Column('amount_untaxed', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_tax', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['sales_product.id'], ),
    sa.ForeignKeyConstraint(['tax_id'], ['sales_tax.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sales_order_line_order_id'), 'sales_order_line', ['order_id'], unique=False)
    op.create_index(op.f('ix_sales_order_line_product_id'), 'sales_order_line', ['product_id'], unique=False)
    op.create_table('sales_order_sync_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('consumed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sales_order_sync_pending', 'sales_order_sync_request', ['consumed_at', 'id'], unique=False)
    op.create_index('uq_sales_order_sync_live', 'sales_order_sync_request', ['order_id', 'kind'], unique=True, sqlite_where=sa.text('consumed_at IS NULL'), postgresql_where=sa.text('consumed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_sales_order_sync_live', table_name='sales_order_sync_request', sqlite_where=sa.text('consumed_at IS NULL'), postgresql_where=sa.text('consumed_at IS NULL'))
    op.drop_index('ix_sales_order_sync_pending', table_name='sales_order_sync_request')
    op.drop_table('sales_order_sync_request')
    op.drop_index(op.f('ix_sales_order_line_product_id'), table_name='sales_order_line')
    op.drop_index(op.f('ix_sales_order_line_order_id'), table_name='sales_order_line')
    op.drop_table('sales_order_line')
    op.drop_index('ix_sales_order_team_state', table_name='sales_order')
    op.drop_index('ix_sales_order_state', table_name='sales_order')
    op.drop_index(op.f('ix_sales_order_person_id'), table_name='sales_order')
    op.drop_index('ix_sales_order_owner_state', table_name='sales_order')
    op.drop_index(op.f('ix_sales_order_lead_id'), table_name='sales_order')
    op.drop_index(op.f('ix_sales_order_company_id'), table_name='sales_order')
    op.drop_table('sales_order')
    op.drop_table('sales_order_sequence')
