"""contacts: search index over names, e-mails and phones (filled by the search work)

Revision ID: 0002_contacts_search
Revises: 0001_contacts
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0002_contacts_search'
down_revision = '0001_contacts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
