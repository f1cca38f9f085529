"""visit fields on contacts' companies

Revision ID: 0001_visits
Revises:
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_visits'
down_revision = None
branch_labels = ('visits',)
depends_on = '0007_contacts_search_words'  # the table it extends: contacts' branch first


def upgrade() -> None:
    op.add_column('contacts_company', sa.Column('visit_count', sa.Integer(), nullable=True))
    op.add_column('contacts_company', sa.Column('last_visit', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('contacts_company', 'last_visit')
    op.drop_column('contacts_company', 'visit_count')
