"""contacts: duplicate detection settings and dismissed pairs

Revision ID: 0005_contacts_duplicates
Revises: 0004_contacts_timeline
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_contacts_duplicates'
down_revision = '0004_contacts_timeline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts_duplicate_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('contacts_duplicate_dismissal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'first_id', 'second_id',
                        name='uq_contacts_duplicate_dismissal_pair')
    )
    with op.batch_alter_table('contacts_duplicate_dismissal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_duplicate_dismissal_second_id'),
                              ['second_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contacts_duplicate_dismissal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_duplicate_dismissal_second_id'))
    op.drop_table('contacts_duplicate_dismissal')
    op.drop_table('contacts_duplicate_setting')
