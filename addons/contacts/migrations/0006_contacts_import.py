"""contacts: import batches and remembered column mappings

Revision ID: 0006_contacts_import
Revises: 0005_contacts_duplicates
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_contacts_import'
down_revision = '0005_contacts_duplicates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts_import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('encoding', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('mapping', sa.JSON(), nullable=True),
    sa.Column('policies', sa.JSON(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('parsed', sa.LargeBinary(), nullable=True),
    sa.Column('parsed_key', sa.String(length=64), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('committed_on', sa.DateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contacts_import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_import_batch_owner_id'), ['owner_id'], unique=False)

    op.create_table('contacts_import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('layout_hash', sa.String(length=64), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_on', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'layout_hash', name='uq_contacts_import_mapping_layout')
    )


def downgrade() -> None:
    op.drop_table('contacts_import_mapping')
    with op.batch_alter_table('contacts_import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_import_batch_owner_id'))

    op.drop_table('contacts_import_batch')
