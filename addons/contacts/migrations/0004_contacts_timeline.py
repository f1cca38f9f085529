"""contacts: timeline entries on contacts (notes, calls, meetings, other addons' events)

Revision ID: 0004_contacts_timeline
Revises: 0003_contacts_custom_fields
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_contacts_timeline'
down_revision = '0003_contacts_custom_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts_timeline_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('source_model', sa.String(length=128), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('url', sa.String(length=512), nullable=True),
    sa.CheckConstraint('(company_id IS NULL AND person_id IS NOT NULL) OR (company_id IS NOT NULL AND person_id IS NULL)', name='ck_contacts_timeline_entry_one_parent'),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'source_model', 'source_id', name='uq_contacts_timeline_company_source'),
    sa.UniqueConstraint('person_id', 'source_model', 'source_id', name='uq_contacts_timeline_person_source')
    )
    with op.batch_alter_table('contacts_timeline_entry', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_timeline_company_at', ['company_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_contacts_timeline_person_at', ['person_id', 'occurred_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contacts_timeline_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_timeline_person_at')
        batch_op.drop_index('ix_contacts_timeline_company_at')
    op.drop_table('contacts_timeline_entry')
