"""each survey's delivered invitations, kept by the outbox as it sends (the results page reads a number)

Revision ID: 0009_delivered
Revises: 0008_fixes
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0009_delivered'
down_revision = '0008_fixes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered', sa.Integer(), server_default='0', nullable=False))
    # Once, from the rows: the invitations whose email went out (keys "survey-invitation:<id>").
    op.execute("UPDATE survey SET delivered = (SELECT count(*) FROM invitation JOIN outbox_email "
               "ON outbox_email.dedupe_key = 'survey-invitation:' || CAST(invitation.id AS VARCHAR(20)) "
               "WHERE invitation.survey_id = survey.id AND outbox_email.status = 'sent')")


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('delivered')
