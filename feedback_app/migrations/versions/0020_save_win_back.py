"""save and win back: win-back campaigns and their emails, the Save list's outcomes and customer values,
the check-in survey

Revision ID: 0020_save_win_back
Revises: 0019_segments
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_save_win_back'
down_revision = '0019_segments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'win_back_campaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('return_days', sa.Integer(), nullable=False),
        sa.Column('incentives', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_win_back_campaign')),
    )
    op.create_table(
        'win_back_email',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('emailed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['win_back_campaign.id'],
                                name=op.f('fk_win_back_email_campaign_id_win_back_campaign'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'],
                                name=op.f('fk_win_back_email_customer_id_customer'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_win_back_email')),
        sa.UniqueConstraint('campaign_id', 'customer_id', name=op.f('uq_win_back_email_campaign_id_customer_id')),
    )
    op.create_index(op.f('ix_win_back_email_customer_id'), 'win_back_email', ['customer_id'])
    op.create_table(
        'save_outcome',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'],
                                name=op.f('fk_save_outcome_customer_id_customer'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'],
                                name=op.f('fk_save_outcome_by_user_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_save_outcome')),
    )
    op.create_table(
        'customer_value',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'],
                                name=op.f('fk_customer_value_customer_id_customer'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_value')),
    )
    op.create_index('ix_customer_value_value', 'customer_value', ['value', 'customer_id'])
    op.create_table(
        'check_in_survey',
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'],
                                name=op.f('fk_check_in_survey_survey_id_survey'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_check_in_survey')),
    )


def downgrade():
    op.drop_table('check_in_survey')
    op.drop_index('ix_customer_value_value', table_name='customer_value')
    op.drop_table('customer_value')
    op.drop_table('save_outcome')
    op.drop_index(op.f('ix_win_back_email_customer_id'), table_name='win_back_email')
    op.drop_table('win_back_email')
    op.drop_table('win_back_campaign')
