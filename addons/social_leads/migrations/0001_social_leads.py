"""social_leads: attribution on sales' leads; identities, touches, web forms, consents

Revision ID: 0001_social_leads
Revises:
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_social_leads'
down_revision = None
branch_labels = ('social_leads',)
# the tables it reads and extends: sales' and contacts' branches first
depends_on = ('0011_sales_activity_team', '0008_contacts_external_ids')

ATTRIBUTION = (('channel', 32), ('form', 128), ('qr_scene', 64), ('utm_source', 128),
               ('utm_medium', 128), ('utm_campaign', 128), ('utm_term', 128),
               ('utm_content', 128))


def upgrade() -> None:
    with op.batch_alter_table('sales_lead', schema=None) as batch_op:
        for name, length in ATTRIBUTION:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table('social_leads_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=96), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_lead.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'value', name='uq_social_leads_identity')
    )
    op.create_index('ix_social_leads_identity_lead_id', 'social_leads_identity', ['lead_id'])
    op.create_index('ix_social_leads_identity_person_id', 'social_leads_identity',
                    ['person_id'])
    op.create_table('social_leads_touch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('created', sa.Boolean(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('touched_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('campaign', sa.String(length=128), nullable=True),
    sa.Column('form', sa.String(length=128), nullable=True),
    sa.Column('qr_scene', sa.String(length=64), nullable=True),
    sa.Column('utm_source', sa.String(length=128), nullable=True),
    sa.Column('utm_medium', sa.String(length=128), nullable=True),
    sa.Column('utm_campaign', sa.String(length=128), nullable=True),
    sa.Column('utm_term', sa.String(length=128), nullable=True),
    sa.Column('utm_content', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_lead.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_social_leads_touch_event')
    )
    op.create_index('ix_social_leads_touch_lead_id', 'social_leads_touch', ['lead_id'])
    op.create_index('ix_social_leads_touch_report', 'social_leads_touch',
                    ['touched_at', 'channel', 'campaign'])
    op.create_table('social_leads_web_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('campaign', sa.String(length=128), nullable=True),
    *[sa.Column(f'{kind}_{field}', sa.Boolean(), nullable=False)
      for field in ('name', 'company', 'email', 'phone', 'message') for kind in ('show', 'need')],
    sa.Column('consent_zh', sa.Text(), nullable=True),
    sa.Column('consent_en', sa.Text(), nullable=True),
    sa.Column('thanks_zh', sa.Text(), nullable=True),
    sa.Column('thanks_en', sa.Text(), nullable=True),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('social_leads_web_form_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['social_leads_web_form.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_social_leads_web_form_hit', 'social_leads_web_form_hit',
                    ['form_id', 'address', 'at'])
    op.create_index('ix_social_leads_web_form_hit_at', 'social_leads_web_form_hit', ['at'])
    op.create_table('social_leads_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=True),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['form_id'], ['social_leads_web_form.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id')
    )
    op.create_index('ix_social_leads_consent_form_id', 'social_leads_consent', ['form_id'])
    op.create_index('ix_social_leads_consent_email', 'social_leads_consent', ['email'])


def downgrade() -> None:
    op.drop_table('social_leads_consent')
    op.drop_table('social_leads_web_form_hit')
    op.drop_table('social_leads_web_form')
    op.drop_table('social_leads_touch')
    op.drop_table('social_leads_identity')
    with op.batch_alter_table('sales_lead', schema=None) as batch_op:
        for name, _length in reversed(ATTRIBUTION):
            batch_op.drop_column(name)
