"""einvoicing: the seller's identity, the e-invoice channel on contacts' companies

Revision ID: 0001_einvoicing
Revises:
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_einvoicing'
down_revision = None
branch_labels = ('einvoicing',)
# the tables it reads and extends: invoicing's and contacts' branches first
depends_on = ('0002_credit_and_payments', '0008_contacts_external_ids')


def upgrade() -> None:
    op.create_table('einvoicing_seller',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vat_id', sa.String(length=32), nullable=True),
    sa.Column('tax_registration', sa.String(length=64), nullable=True),
    sa.Column('street', sa.String(length=255), nullable=True),
    sa.Column('city', sa.String(length=128), nullable=True),
    sa.Column('postal_code', sa.String(length=32), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('endpoint', sa.String(length=64), nullable=True),
    sa.Column('endpoint_scheme', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.add_column('contacts_company', sa.Column('einvoice_channel', sa.String(16), nullable=True))
    op.add_column('contacts_company', sa.Column('einvoice_endpoint', sa.String(64),
                                                nullable=True))
    op.add_column('contacts_company', sa.Column('einvoice_endpoint_scheme', sa.String(8),
                                                nullable=True))


def downgrade() -> None:
    op.drop_column('contacts_company', 'einvoice_endpoint_scheme')
    op.drop_column('contacts_company', 'einvoice_endpoint')
    op.drop_column('contacts_company', 'einvoice_channel')
    op.drop_table('einvoicing_seller')
