"""sales: orders (reserved; filled by its slice)

Revision ID: 0002_sales_orders
Revises: 0001_sales
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0002_sales_orders'
down_revision = '0001_sales'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
