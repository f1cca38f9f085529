"""sales: lead scoring rules, and an index on the leads' score (filters such
as score >= 50, the assignment rules' minimum score)

Revision ID: 0005_sales_scoring
Revises: 0004_sales_assignment
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_sales_scoring'
down_revision = '0004_sales_assignment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_scoring_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=True),
    sa.Column('value', sa.String(length=128), nullable=True),
    sa.Column('activity_kind', sa.String(length=16), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('field', 'activity')", name='ck_sales_scoring_rule_kind'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sales_lead_score', 'sales_lead', ['score'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_lead_score', table_name='sales_lead')
    op.drop_table('sales_scoring_rule')
