"""contacts: import batches and remembered column mappings

Revision ID: 0006_contacts_import
Revises: 0005_contacts_duplicates
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0006_contacts_import'
down_revision = '0005_contacts_duplicates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
