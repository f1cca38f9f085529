"""sales: activities (calls, meetings, to-dos on leads and contacts)

Revision ID: 0003_sales_activities
Revises: 0002_sales_orders
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_sales_activities'
down_revision = '0002_sales_orders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('due_time', sa.Time(), nullable=True),
    sa.Column('remind_at', sa.DateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('call', 'meeting', 'todo')", name='ck_sales_activity_kind'),
    sa.CheckConstraint('(CASE WHEN lead_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN company_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) = 1', name='ck_sales_activity_one_parent'),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_lead.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sales_activity_company', 'sales_activity', ['company_id', 'done_at', 'due_date'], unique=False)
    op.create_index('ix_sales_activity_lead', 'sales_activity', ['lead_id', 'done_at', 'due_date'], unique=False)
    op.create_index('ix_sales_activity_owner_open', 'sales_activity', ['owner_id', 'done_at', 'due_date', 'remind_at'], unique=False)
    op.create_index('ix_sales_activity_person', 'sales_activity', ['person_id', 'done_at', 'due_date'], unique=False)
    op.create_index('ix_sales_activity_team_open', 'sales_activity', ['team_id', 'done_at', 'due_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_activity_team_open', table_name='sales_activity')
    op.drop_index('ix_sales_activity_person', table_name='sales_activity')
    op.drop_index('ix_sales_activity_owner_open', table_name='sales_activity')
    op.drop_index('ix_sales_activity_lead', table_name='sales_activity')
    op.drop_index('ix_sales_activity_company', table_name='sales_activity')
    op.drop_table('sales_activity')
