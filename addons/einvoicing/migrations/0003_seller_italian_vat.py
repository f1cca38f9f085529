"""einvoicing: the seller's Italian VAT registration, for SdI

Revision ID: 0003_seller_italian_vat
Revises: 0002_einvoice_sending
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_seller_italian_vat'
down_revision = '0002_einvoice_sending'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('einvoicing_seller', sa.Column('vat_id_it', sa.String(13), nullable=True))


def downgrade() -> None:
    op.drop_column('einvoicing_seller', 'vat_id_it')
