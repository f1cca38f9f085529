"""sales: assignment rules for unassigned leads (rules, member pools with
weights and capacity, the persisted round-robin pointer)

Revision ID: 0004_sales_assignment
Revises: 0003_sales_activities
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_sales_assignment'
down_revision = '0003_sales_activities'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_assignment_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('min_score', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('pointer', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pointer >= 0', name='ck_sales_assignment_rule_pointer'),
    sa.ForeignKeyConstraint(['tag_id'], ['contacts_tag.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sales_assignment_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name='ck_sales_assignment_member_capacity'),
    sa.CheckConstraint('weight >= 1', name='ck_sales_assignment_member_weight'),
    sa.ForeignKeyConstraint(['rule_id'], ['sales_assignment_rule.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule_id', 'user_id', name='uq_sales_assignment_member_user')
    )
    op.create_index(op.f('ix_sales_assignment_member_rule_id'), 'sales_assignment_member', ['rule_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sales_assignment_member_rule_id'), table_name='sales_assignment_member')
    op.drop_table('sales_assignment_member')
    op.drop_table('sales_assignment_rule')
