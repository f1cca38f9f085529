"""service_desk: the SLA report's period index

The SLA report counts the tickets created in the last N days (30 by
default), per team or per agent. Without an index on created_at the
database read every ticket for it: SQLite walked the whole table through
the team or owner index (the GROUP BY's order), one row lookup per ticket.
With it, only the period's tickets are read (SQLite, 200,000 tickets over a
year, bench/service_desk_tickets.py, as Admin, p50/p95: the per-agent page
418/438 -> 92/96 ms, the per-team page 231/241 -> 91/95 ms; PostgreSQL,
whose scan was cheaper: 80/97 -> 58/64 ms and 80/92 -> 56/62 ms).

Revision ID: 0002_service_desk_report_index
Revises: 0001_service_desk
Create Date: 2026-12-06
"""
from alembic import op


revision = '0002_service_desk_report_index'
down_revision = '0001_service_desk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_desk_ticket_created', 'desk_ticket', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_desk_ticket_created', table_name='desk_ticket')
