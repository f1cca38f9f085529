"""contact visits

Revision ID: 0001_example_contact_links
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_example_contact_links'
down_revision = None
branch_labels = ('example_contact_links',)
depends_on = '0001_contacts'  # its tables reference contacts': dropped before them


def upgrade() -> None:
    op.create_table('example_contact_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'day', name='uq_example_contact_visit_day')
    )


def downgrade() -> None:
    op.drop_table('example_contact_visit')
