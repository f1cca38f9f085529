"""sales: the pipeline board's card index

A board column shows its first 40 cards in board order (priority desc,
expected close, id). With the columns of that order, and the owner the
record rules filter on, in one index the card ids come from the index alone:
the database sorts one column's index entries instead of reading and
sorting its rows (SQLite, 1,000,000 contacts, 220,000 leads, a team of
16,256 open/won opportunities: the SQL of the manager's board page 68 -> 3 ms).
ix_sales_lead_board (team, type, status, stage) is a prefix of this index
and of ix_sales_lead_dashboard (0006), so it goes.

Revision ID: 0007_sales_board_index
Revises: 0006_sales_dashboard_indexes
Create Date: 2026-11-23
"""
from alembic import op


revision = '0007_sales_board_index'
down_revision = '0006_sales_dashboard_indexes'
branch_labels = None
depends_on = None

CARD_COLUMNS = ['team_id', 'type', 'status', 'stage_id', 'priority', 'expected_close',
                'owner_id', 'id']


def upgrade() -> None:
    op.create_index('ix_sales_lead_board_cards', 'sales_lead', CARD_COLUMNS, unique=False)
    op.drop_index('ix_sales_lead_board', table_name='sales_lead')


def downgrade() -> None:
    op.create_index('ix_sales_lead_board', 'sales_lead',
                    ['team_id', 'type', 'status', 'stage_id'], unique=False)
    op.drop_index('ix_sales_lead_board_cards', table_name='sales_lead')
