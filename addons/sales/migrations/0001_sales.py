"""sales: pipeline (stages, lost reasons, leads/opportunities), currencies and
rates, taxes, products and price lists

Revision ID: 0001_sales
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_sales'
down_revision = None
branch_labels = ('sales',)
depends_on = '0001_contacts'  # leads and price lists reference contacts' tables


def upgrade() -> None:
    op.create_table('sales_currency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=8), nullable=True),
    sa.Column('decimal_places', sa.Integer(), nullable=False),
    sa.Column('is_base', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('sales_lost_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('sales_tax',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('price_include', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('sales_currency_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=20, scale=10), nullable=False),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('currency_id', 'effective_date', name='uq_sales_currency_rate_day')
    )
    op.create_index(op.f('ix_sales_currency_rate_currency_id'), 'sales_currency_rate', ['currency_id'], unique=False)
    op.create_table('sales_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('list_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('tax_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['tax_id'], ['sales_tax.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_sales_product_currency_id'), 'sales_product', ['currency_id'], unique=False)
    op.create_index(op.f('ix_sales_product_name'), 'sales_product', ['name'], unique=False)
    op.create_index(op.f('ix_sales_product_tax_id'), 'sales_product', ['tax_id'], unique=False)
    op.create_table('sales_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('is_won', sa.Boolean(), nullable=False),
    sa.Column('folded', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sales_stage_team_id'), 'sales_stage', ['team_id'], unique=False)
    op.create_table('sales_price_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['tier_id'], ['contacts_tier.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_index(op.f('ix_sales_price_list_company_id'), 'sales_price_list', ['company_id'], unique=False)
    op.create_index(op.f('ix_sales_price_list_currency_id'), 'sales_price_list', ['currency_id'], unique=False)
    op.create_index(op.f('ix_sales_price_list_tier_id'), 'sales_price_list', ['tier_id'], unique=False)
    op.create_table('sales_lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('company_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('campaign', sa.String(length=128), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('lost_reason_id', sa.Integer(), nullable=True),
    sa.Column('lost_note', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('expected_revenue', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency_id', sa.Integer(), nullable=True),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('converted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['lost_reason_id'], ['sales_lost_reason.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['sales_stage.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sales_lead_board', 'sales_lead', ['team_id', 'type', 'status', 'stage_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_company_id'), 'sales_lead', ['company_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_expected_close'), 'sales_lead', ['expected_close'], unique=False)
    op.create_index('ix_sales_lead_owner_status', 'sales_lead', ['owner_id', 'status'], unique=False)
    op.create_index('ix_sales_lead_type_created', 'sales_lead', ['type', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_sales_lead_person_id'), 'sales_lead', ['person_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_region'), 'sales_lead', ['region'], unique=False)
    op.create_index(op.f('ix_sales_lead_source'), 'sales_lead', ['source'], unique=False)
    op.create_index(op.f('ix_sales_lead_stage_id'), 'sales_lead', ['stage_id'], unique=False)
    op.create_table('sales_price_list_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('min_quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['price_list_id'], ['sales_price_list.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['sales_product.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sales_price_list_item_price_list_id'), 'sales_price_list_item', ['price_list_id'], unique=False)
    op.create_index(op.f('ix_sales_price_list_item_product_id'), 'sales_price_list_item', ['product_id'], unique=False)
    op.create_table('sales_lead_tag',
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_lead.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['contacts_tag.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lead_id', 'tag_id')
    )
    op.create_index(op.f('ix_sales_lead_tag_tag_id'), 'sales_lead_tag', ['tag_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sales_lead_tag_tag_id'), table_name='sales_lead_tag')
    op.drop_table('sales_lead_tag')
    op.drop_index(op.f('ix_sales_price_list_item_product_id'), table_name='sales_price_list_item')
    op.drop_index(op.f('ix_sales_price_list_item_price_list_id'), table_name='sales_price_list_item')
    op.drop_table('sales_price_list_item')
    op.drop_index(op.f('ix_sales_lead_stage_id'), table_name='sales_lead')
    op.drop_index(op.f('ix_sales_lead_source'), table_name='sales_lead')
    op.drop_index(op.f('ix_sales_lead_region'), table_name='sales_lead')
    op.drop_index(op.f('ix_sales_lead_person_id'), table_name='sales_lead')
    op.drop_index('ix_sales_lead_type_created', table_name='sales_lead')
    op.drop_index('ix_sales_lead_owner_status', table_name='sales_lead')
    op.drop_index(op.f('ix_sales_lead_expected_close'), table_name='sales_lead')
    op.drop_index(op.f('ix_sales_lead_company_id'), table_name='sales_lead')
    op.drop_index('ix_sales_lead_board', table_name='sales_lead')
    op.drop_table('sales_lead')
    op.drop_index(op.f('ix_sales_price_list_tier_id'), table_name='sales_price_list')
    op.drop_index(op.f('ix_sales_price_list_currency_id'), table_name='sales_price_list')
    op.drop_index(op.f('ix_sales_price_list_company_id'), table_name='sales_price_list')
    op.drop_table('sales_price_list')
    op.drop_index(op.f('ix_sales_stage_team_id'), table_name='sales_stage')
    op.drop_table('sales_stage')
    op.drop_index(op.f('ix_sales_product_tax_id'), table_name='sales_product')
    op.drop_index(op.f('ix_sales_product_name'), table_name='sales_product')
    op.drop_index(op.f('ix_sales_product_currency_id'), table_name='sales_product')
    op.drop_table('sales_product')
    op.drop_index(op.f('ix_sales_currency_rate_currency_id'), table_name='sales_currency_rate')
    op.drop_table('sales_currency_rate')
    op.drop_table('sales_tax')
    op.drop_table('sales_lost_reason')
    op.drop_table('sales_currency')
