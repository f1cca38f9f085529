"""sales: assignment (reserved; filled by its slice)

Revision ID: 0004_sales_assignment
Revises: 0003_sales_activities
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0004_sales_assignment'
down_revision = '0003_sales_activities'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
