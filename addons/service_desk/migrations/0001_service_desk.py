"""service_desk: tickets, their messages and attachments, stages, SLA policies,
working calendars, team settings, escalations, ratings, canned replies, KB articles

Revision ID: 0001_service_desk
Revises:
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_service_desk'
down_revision = None
branch_labels = ('service_desk',)
depends_on = '0008_contacts_external_ids'


def upgrade() -> None:
    op.create_table('desk_calendar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('day_start', sa.String(length=5), nullable=False),
    sa.Column('day_end', sa.String(length=5), nullable=False),
    sa.Column('weekdays', sa.String(length=7), nullable=False),
    sa.Column('holidays', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('desk_kb_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('desk_sequence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('next_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('prefix')
    )
    op.create_table('desk_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('desk_agent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('away', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_table('desk_canned_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('desk_sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('ticket_type', sa.String(length=32), nullable=True),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=True),
    sa.Column('resolution_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['tag_id'], ['desk_tag.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['contacts_tier.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_desk_sla_policy_team_id'), 'desk_sla_policy', ['team_id'], unique=False)
    op.create_table('desk_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('new', 'in_progress', 'waiting', 'solved', 'closed')", name='ck_desk_stage_kind'),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_desk_stage_team_id'), 'desk_stage', ['team_id'], unique=False)
    op.create_table('desk_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('assignment', sa.String(length=16), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('last_assigned_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("assignment IN ('round_robin', 'least_open', 'manual')", name='ck_desk_team_assignment'),
    sa.ForeignKeyConstraint(['calendar_id'], ['desk_calendar.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['manager_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id')
    )
    op.create_index(op.f('ix_desk_team_manager_id'), 'desk_team', ['manager_id'], unique=False)
    op.create_table('desk_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('ticket_type', sa.String(length=32), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('first_response_at', sa.DateTime(), nullable=True),
    sa.Column('solved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('sla_policy_id', sa.Integer(), nullable=True),
    sa.Column('first_response_due', sa.DateTime(), nullable=True),
    sa.Column('resolution_due', sa.DateTime(), nullable=True),
    sa.Column('paused_since', sa.DateTime(), nullable=True),
    sa.Column('paused_minutes', sa.Integer(), nullable=False),
    sa.Column('first_response_minutes', sa.Integer(), nullable=True),
    sa.Column('resolution_minutes', sa.Integer(), nullable=True),
    sa.Column('first_response_breached', sa.Boolean(), nullable=False),
    sa.Column('resolution_breached', sa.Boolean(), nullable=False),
    sa.CheckConstraint("channel IN ('mail', 'web', 'phone', 'api')", name='ck_desk_ticket_channel'),
    sa.CheckConstraint('priority BETWEEN 0 AND 3', name='ck_desk_ticket_priority'),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['desk_ticket.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sla_policy_id'], ['desk_sla_policy.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['desk_stage.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index(op.f('ix_desk_ticket_company_id'), 'desk_ticket', ['company_id'], unique=False)
    op.create_index('ix_desk_ticket_due', 'desk_ticket', ['solved_at', 'resolution_due'], unique=False)
    op.create_index(op.f('ix_desk_ticket_message_id'), 'desk_ticket', ['message_id'], unique=False)
    op.create_index('ix_desk_ticket_owner_open', 'desk_ticket', ['owner_id', 'solved_at'], unique=False)
    op.create_index(op.f('ix_desk_ticket_person_id'), 'desk_ticket', ['person_id'], unique=False)
    op.create_index('ix_desk_ticket_team_stage', 'desk_ticket', ['team_id', 'stage_id'], unique=False)
    op.create_table('desk_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("target IN ('first_response', 'resolution')", name='ck_desk_escalation_target'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['desk_ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'target', name='uq_desk_escalation_ticket_target')
    )
    op.create_index(op.f('ix_desk_escalation_owner_id'), 'desk_escalation', ['owner_id'], unique=False)
    op.create_table('desk_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_email', sa.String(length=254), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out')", name='ck_desk_message_direction'),
    sa.CheckConstraint("kind IN ('public', 'note')", name='ck_desk_message_kind'),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['desk_ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    op.create_index(op.f('ix_desk_message_ticket_id'), 'desk_message', ['ticket_id'], unique=False)
    op.create_table('desk_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name='ck_desk_rating_score'),
    sa.ForeignKeyConstraint(['agent_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['crossdock_team.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['desk_ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id')
    )
    op.create_index(op.f('ix_desk_rating_agent_id'), 'desk_rating', ['agent_id'], unique=False)
    op.create_index(op.f('ix_desk_rating_team_id'), 'desk_rating', ['team_id'], unique=False)
    op.create_table('desk_ticket_tag',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['desk_tag.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['desk_ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'tag_id')
    )
    op.create_index(op.f('ix_desk_ticket_tag_tag_id'), 'desk_ticket_tag', ['tag_id'], unique=False)
    op.create_table('desk_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['desk_message.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_desk_attachment_message_id'), 'desk_attachment', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_desk_attachment_message_id'), table_name='desk_attachment')
    op.drop_table('desk_attachment')
    op.drop_index(op.f('ix_desk_ticket_tag_tag_id'), table_name='desk_ticket_tag')
    op.drop_table('desk_ticket_tag')
    op.drop_index(op.f('ix_desk_rating_team_id'), table_name='desk_rating')
    op.drop_index(op.f('ix_desk_rating_agent_id'), table_name='desk_rating')
    op.drop_table('desk_rating')
    op.drop_index(op.f('ix_desk_message_ticket_id'), table_name='desk_message')
    op.drop_table('desk_message')
    op.drop_index(op.f('ix_desk_escalation_owner_id'), table_name='desk_escalation')
    op.drop_table('desk_escalation')
    op.drop_index('ix_desk_ticket_team_stage', table_name='desk_ticket')
    op.drop_index(op.f('ix_desk_ticket_person_id'), table_name='desk_ticket')
    op.drop_index('ix_desk_ticket_owner_open', table_name='desk_ticket')
    op.drop_index(op.f('ix_desk_ticket_message_id'), table_name='desk_ticket')
    op.drop_index('ix_desk_ticket_due', table_name='desk_ticket')
    op.drop_index(op.f('ix_desk_ticket_company_id'), table_name='desk_ticket')
    op.drop_table('desk_ticket')
    op.drop_index(op.f('ix_desk_team_manager_id'), table_name='desk_team')
    op.drop_table('desk_team')
    op.drop_index(op.f('ix_desk_stage_team_id'), table_name='desk_stage')
    op.drop_table('desk_stage')
    op.drop_index(op.f('ix_desk_sla_policy_team_id'), table_name='desk_sla_policy')
    op.drop_table('desk_sla_policy')
    op.drop_table('desk_canned_reply')
    op.drop_table('desk_agent')
    op.drop_table('desk_tag')
    op.drop_table('desk_sequence')
    op.drop_table('desk_kb_article')
    op.drop_table('desk_calendar')
