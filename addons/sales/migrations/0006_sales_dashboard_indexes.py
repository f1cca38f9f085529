"""sales: covering indexes for the dashboard

The dashboard's aggregates for one team (funnel, forecast, won/lost) read
every opportunity of the team; with the columns they need in the index the
database answers from the index alone instead of one row lookup per
opportunity (SQLite, 22,000 opportunities of one team in 220,000: the three
lead queries 176 -> 45 ms as a Sales Manager). The activity backlog likewise
per team, open activities with their owner and due date.

Revision ID: 0006_sales_dashboard_indexes
Revises: 0005_sales_scoring
Create Date: 2026-11-23
"""
from alembic import op


revision = '0006_sales_dashboard_indexes'
down_revision = '0005_sales_scoring'
branch_labels = None
depends_on = None

LEAD_COLUMNS = ['team_id', 'type', 'status', 'stage_id', 'currency_id', 'owner_id',
                'expected_revenue', 'probability', 'expected_close', 'lost_reason_id',
                'closed_at', 'created_at']


def upgrade() -> None:
    op.create_index('ix_sales_lead_dashboard', 'sales_lead', LEAD_COLUMNS, unique=False)
    op.create_index('ix_sales_activity_backlog', 'sales_activity',
                    ['team_id', 'done_at', 'owner_id', 'due_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_activity_backlog', table_name='sales_activity')
    op.drop_index('ix_sales_lead_dashboard', table_name='sales_lead')
