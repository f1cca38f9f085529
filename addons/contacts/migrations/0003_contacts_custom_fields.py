"""contacts: admin-defined custom fields and their values

Revision ID: 0003_contacts_custom_fields
Revises: 0002_contacts_search
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003_contacts_custom_fields'
down_revision = '0002_contacts_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
