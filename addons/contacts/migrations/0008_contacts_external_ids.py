"""contacts: external ids per source system, phone extensions, the import's source system and report

Revision ID: 0008_contacts_external_ids
Revises: 0007_contacts_search_words
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_contacts_external_ids'
down_revision = '0007_contacts_search_words'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts_external_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'system', 'external_id', name='uq_contacts_external_id')
    )
    with op.batch_alter_table('contacts_external_id', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_external_id_contact', ['kind', 'contact_id'], unique=False)
    with op.batch_alter_table('contacts_phone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension', sa.String(length=16), nullable=True))
    with op.batch_alter_table('contacts_import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_system', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts_import_batch', schema=None) as batch_op:
        batch_op.drop_column('report')
        batch_op.drop_column('source_system')
    with op.batch_alter_table('contacts_phone', schema=None) as batch_op:
        batch_op.drop_column('extension')
    with op.batch_alter_table('contacts_external_id', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_external_id_contact')
    op.drop_table('contacts_external_id')
