"""invoicing_link: invoices, their lines and the numbering sequences

Revision ID: 0001_invoicing_link
Revises:
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_invoicing_link'
down_revision = None
branch_labels = ('invoicing_link',)
depends_on = '0011_sales_activity_team'


def upgrade() -> None:
    op.create_table('invoicing_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=16), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('next_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series', 'fiscal_year', name='uq_invoicing_sequence_series_year')
    )
    op.create_table('invoicing_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=16), server_default='crossdock', nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('series', sa.String(length=16), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('credited_invoice_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('currency_id', sa.Integer(), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('amount_untaxed', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_tax', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('payment_state', sa.String(length=16), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_residual', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('payment_changed_at', sa.DateTime(), nullable=True),
    sa.Column('overdue_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['credited_invoice_id'], ['invoicing_invoice.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.ForeignKeyConstraint(['currency_id'], ['sales_currency.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['issued_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series', 'fiscal_year', 'number', name='uq_invoicing_invoice_number')
    )
    op.create_index(op.f('ix_invoicing_invoice_company_id'), 'invoicing_invoice', ['company_id'], unique=False)
    op.create_index(op.f('ix_invoicing_invoice_order_id'), 'invoicing_invoice', ['order_id'], unique=False)
    op.create_index(op.f('ix_invoicing_invoice_credited_invoice_id'), 'invoicing_invoice', ['credited_invoice_id'], unique=False)
    op.create_index('ix_invoicing_invoice_owner_state', 'invoicing_invoice', ['owner_id', 'state'], unique=False)
    op.create_index('ix_invoicing_invoice_team_state', 'invoicing_invoice', ['team_id', 'state'], unique=False)
    op.create_table('invoicing_invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('credited_line_id', sa.Integer(), nullable=True),
    sa.Column('deducted_line_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('discount', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('tax_name', sa.String(length=64), nullable=True),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('price_include', sa.Boolean(), nullable=False),
    sa.Column('amount_untaxed', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_tax', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoicing_invoice.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['sales_order_line.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['credited_line_id'], ['invoicing_invoice_line.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deducted_line_id'], ['invoicing_invoice_line.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_invoicing_invoice_line_invoice_id'), 'invoicing_invoice_line', ['invoice_id'], unique=False)
    op.create_index(op.f('ix_invoicing_invoice_line_order_line_id'), 'invoicing_invoice_line', ['order_line_id'], unique=False)
    op.create_index(op.f('ix_invoicing_invoice_line_credited_line_id'), 'invoicing_invoice_line', ['credited_line_id'], unique=False)
    op.create_index(op.f('ix_invoicing_invoice_line_deducted_line_id'), 'invoicing_invoice_line', ['deducted_line_id'], unique=False)


def downgrade() -> None:
    op.drop_table('invoicing_invoice_line')
    op.drop_table('invoicing_invoice')
    op.drop_table('invoicing_sequence')
