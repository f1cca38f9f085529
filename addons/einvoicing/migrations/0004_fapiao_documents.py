"""einvoicing: an issued fapiao's files (PDF, OFD, XML) kept with its submission

Revision ID: 0004_fapiao_documents
Revises: 0003_seller_italian_vat
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_fapiao_documents'
down_revision = '0003_seller_italian_vat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('einvoicing_fapiao_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('file_name', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['einvoicing_submission.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'kind')
    )
    op.create_index('ix_einvoicing_fapiao_document_submission_id',
                    'einvoicing_fapiao_document', ['submission_id'])


def downgrade() -> None:
    op.drop_table('einvoicing_fapiao_document')
