"""triggered surveys and touchpoints: a survey's mode, cool-down and touchpoint; an invitation's round,
external id and context

Revision ID: 0022_touchpoints
Revises: 0021_webhooks
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_touchpoints'
down_revision = '0021_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=16), server_default='relationship', nullable=False))
        batch_op.add_column(sa.Column('cooldown_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('touchpoint', sa.String(length=40), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('external_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('context', sa.String(length=200), nullable=True))
        batch_op.drop_constraint('uq_invitation_survey_id_customer_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_survey_id_customer_id_round'),
                                          ['survey_id', 'customer_id', 'round'])
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_survey_id_external_id'),
                                          ['survey_id', 'external_id'])


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint('uq_invitation_survey_id_external_id', type_='unique')
        batch_op.drop_constraint('uq_invitation_survey_id_customer_id_round', type_='unique')
        batch_op.create_unique_constraint('uq_invitation_survey_id_customer_id', ['survey_id', 'customer_id'])
        batch_op.drop_column('context')
        batch_op.drop_column('external_id')
        batch_op.drop_column('round')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('touchpoint')
        batch_op.drop_column('cooldown_days')
        batch_op.drop_column('mode')
