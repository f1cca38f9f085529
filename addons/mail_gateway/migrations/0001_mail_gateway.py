"""mail_gateway: outgoing mails and their attachments, incoming mails' routing,
mail folders' poll state

Revision ID: 0001_mail_gateway
Revises:
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_mail_gateway'
down_revision = None
branch_labels = ('mail_gateway',)
depends_on = None


def upgrade() -> None:
    op.create_table('mail_outgoing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=True),
    sa.Column('record_model', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('to_addresses', sa.Text(), nullable=False),
    sa.Column('cc_addresses', sa.Text(), nullable=True),
    sa.Column('reply_to', sa.String(length=320), nullable=True),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('in_reply_to', sa.String(length=255), nullable=True),
    sa.Column('thread_ids', sa.Text(), nullable=True),
    sa.Column('auto_submitted', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_text', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    op.create_index('ix_mail_outgoing_record', 'mail_outgoing', ['record_model', 'record_id'])
    op.create_index(op.f('ix_mail_outgoing_state'), 'mail_outgoing', ['state'])
    op.create_table('mail_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['mail_id'], ['mail_outgoing.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_mail_attachment_mail_id'), 'mail_attachment', ['mail_id'])
    op.create_table('mail_incoming',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=True),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('routed_to', sa.Text(), nullable=True),
    sa.Column('record_model', sa.String(length=64), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['hub_inbound_event.id'], ),
    sa.ForeignKeyConstraint(['outgoing_id'], ['mail_outgoing.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    op.create_index(op.f('ix_mail_incoming_message_id'), 'mail_incoming', ['message_id'])
    op.create_index(op.f('ix_mail_incoming_state'), 'mail_incoming', ['state'])
    op.create_index('ix_mail_incoming_sender_at', 'mail_incoming', ['sender', 'received_at'])
    op.create_table('mail_folder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=False),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('last_uid', sa.BigInteger(), nullable=False),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_poll_at', sa.DateTime(), nullable=True),
    sa.Column('last_stored', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('backend_id', 'folder')
    )


def downgrade() -> None:
    op.drop_table('mail_folder')
    op.drop_table('mail_incoming')
    op.drop_table('mail_attachment')
    op.drop_table('mail_outgoing')
