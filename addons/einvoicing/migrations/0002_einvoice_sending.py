"""einvoicing: submissions and their history; what SdI and fapiao need on
companies, products and the seller

Revision ID: 0002_einvoice_sending
Revises: 0001_einvoicing
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_einvoice_sending'
down_revision = '0001_einvoicing'
branch_labels = None
depends_on = None

COMPANY = (('einvoice_recipient_code', 7), ('einvoice_pec', 255),
           ('einvoice_fiscal_code', 16), ('fapiao_kind', 16))
SELLER = (('phone', 32), ('bank_details', 255))


def upgrade() -> None:
    op.create_table('einvoicing_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_text', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=128), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('content_type', sa.String(length=64), nullable=True),
    sa.Column('routing_json', sa.Text(), nullable=True),
    sa.Column('remote_id', sa.String(length=128), nullable=True),
    sa.Column('remote_number', sa.String(length=64), nullable=True),
    sa.Column('document_url', sa.String(length=512), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoicing_invoice.id']),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id', 'channel', 'attempt')
    )
    op.create_index('ix_einvoicing_submission_invoice_id', 'einvoicing_submission',
                    ['invoice_id'])
    op.create_index('ix_einvoicing_submission_state', 'einvoicing_submission', ['state'])
    op.create_index('ix_einvoicing_submission_remote_id', 'einvoicing_submission',
                    ['remote_id'])
    op.create_table('einvoicing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=128), nullable=True),
    sa.Column('details_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['einvoicing_submission.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_einvoicing_event_submission_id', 'einvoicing_event', ['submission_id'])
    for name, length in COMPANY:
        op.add_column('contacts_company', sa.Column(name, sa.String(length), nullable=True))
    op.add_column('sales_product', sa.Column('fapiao_tax_code', sa.String(19), nullable=True))
    for name, length in SELLER:
        op.add_column('einvoicing_seller', sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    for name, _length in SELLER:
        op.drop_column('einvoicing_seller', name)
    op.drop_column('sales_product', 'fapiao_tax_code')
    for name, _length in COMPANY:
        op.drop_column('contacts_company', name)
    op.drop_table('einvoicing_event')
    op.drop_table('einvoicing_submission')
