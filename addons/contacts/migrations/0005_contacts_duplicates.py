"""contacts: duplicate detection settings and dismissed pairs

Revision ID: 0005_contacts_duplicates
Revises: 0004_contacts_timeline
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0005_contacts_duplicates'
down_revision = '0004_contacts_timeline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
