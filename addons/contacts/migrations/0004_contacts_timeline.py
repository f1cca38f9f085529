"""contacts: timeline entries on contacts (notes, calls, meetings, other addons' events)

Revision ID: 0004_contacts_timeline
Revises: 0003_contacts_custom_fields
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0004_contacts_timeline'
down_revision = '0003_contacts_custom_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
