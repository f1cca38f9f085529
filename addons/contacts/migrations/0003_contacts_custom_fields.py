"""contacts: admin-defined custom fields and their values

Revision ID: 0003_contacts_custom_fields
Revises: 0002_contacts_search
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_contacts_custom_fields'
down_revision = '0002_contacts_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts_custom_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applies_to', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.Column('field_type', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.Text(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('show_in_list', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('applies_to', 'key', name='uq_contacts_custom_field_key')
    )
    op.create_table('contacts_custom_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', sa.Numeric(precision=24, scale=6), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('value_bool', sa.Boolean(), nullable=True),
    sa.Column('value_user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(company_id IS NULL AND person_id IS NOT NULL) OR (company_id IS NOT NULL AND person_id IS NULL)', name='ck_contacts_custom_value_one_parent'),
    sa.ForeignKeyConstraint(['company_id'], ['contacts_company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['field_id'], ['contacts_custom_field.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['value_user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('field_id', 'company_id', name='uq_contacts_custom_value_company'),
    sa.UniqueConstraint('field_id', 'person_id', name='uq_contacts_custom_value_person')
    )
    with op.batch_alter_table('contacts_custom_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_custom_value_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_custom_value_field_id'), ['field_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_custom_value_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contacts_custom_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_custom_value_person_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_custom_value_field_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_custom_value_company_id'))

    op.drop_table('contacts_custom_value')
    op.drop_table('contacts_custom_field')
