"""sales: scoring (reserved; filled by its slice)

Revision ID: 0005_sales_scoring
Revises: 0004_sales_assignment
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0005_sales_scoring'
down_revision = '0004_sales_assignment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
