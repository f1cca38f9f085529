"""tickets, queues and watchers

Revision ID: 0001_example_tickets
Revises:
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_example_tickets'
down_revision = None
branch_labels = ('example_tickets',)
depends_on = None


def upgrade() -> None:
    op.create_table('example_ticket_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('example_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('queue_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.ForeignKeyConstraint(['queue_id'], ['example_ticket_queue.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['example_ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('example_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_example_ticket_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_example_ticket_team_id'), ['team_id'], unique=False)
    op.create_table('example_ticket_watcher',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['example_ticket.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    with op.batch_alter_table('example_ticket_watcher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_example_ticket_watcher_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('example_ticket_watcher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_example_ticket_watcher_user_id'))
    op.drop_table('example_ticket_watcher')
    with op.batch_alter_table('example_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_example_ticket_team_id'))
        batch_op.drop_index(batch_op.f('ix_example_ticket_owner_id'))
    op.drop_table('example_ticket')
    op.drop_table('example_ticket_queue')
