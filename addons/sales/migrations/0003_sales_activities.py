"""sales: activities (reserved; filled by its slice)

Revision ID: 0003_sales_activities
Revises: 0002_sales_orders
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003_sales_activities'
down_revision = '0002_sales_orders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
