"""sales: a salesperson's leads newest first, read in order

A salesperson's lists and REST calls filter on the owner and sort by id
(newest first). ix_sales_lead_owner_status (owner, status) finds their rows
but not in id order, so every page sorted all of them after the joins
(SQLite, 1,000,000 contacts, 220,000 leads, 4,371 of one salesperson: the
REST list's query 18 -> under 1 ms with this index).

Revision ID: 0010_sales_lead_owner_order
Revises: 0009_sales_cancel_requests
Create Date: 2026-12-05
"""
from alembic import op


revision = '0010_sales_lead_owner_order'
down_revision = '0009_sales_cancel_requests'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sales_lead_owner_id', 'sales_lead', ['owner_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_lead_owner_id', table_name='sales_lead')
