"""invoicing_link: credit limits, credit releases and the payment history

Revision ID: 0002_credit_and_payments
Revises: 0001_invoicing_link
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_credit_and_payments'
down_revision = '0001_invoicing_link'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoicing_credit_limit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint('(company_id IS NULL) <> (tier_id IS NULL)',
                       name='ck_invoicing_credit_limit_company_or_tier'),
    sa.CheckConstraint('amount >= 0', name='ck_invoicing_credit_limit_amount'),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['contacts_tier.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id'),
    sa.UniqueConstraint('tier_id')
    )
    op.create_table('invoicing_credit_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('over_by', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['ab_user.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_invoicing_credit_release_order_id'), 'invoicing_credit_release',
                    ['order_id'], unique=False)
    op.create_table('invoicing_payment_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_residual', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('payment_state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoicing_invoice.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_invoicing_payment_change_invoice_id'), 'invoicing_payment_change',
                    ['invoice_id'], unique=False)
    op.create_index('ix_invoicing_payment_change_company', 'invoicing_payment_change',
                    ['company_id', 'changed_at'], unique=False)


def downgrade() -> None:
    op.drop_table('invoicing_payment_change')
    op.drop_table('invoicing_credit_release')
    op.drop_table('invoicing_credit_limit')
