"""the thank-you page's follow-up step: a survey's step (a link or a second question) and the second answers

Revision ID: 0025_thanks_step
Revises: 0022_touchpoints
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0025_thanks_step'
down_revision = '0024_advocacy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thanks_step', sa.JSON(), nullable=True))
    op.create_table(
        'thanks_answer',
        sa.Column('response_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_thanks_answer_response_id_response')),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_thanks_answer_survey_id_survey')),
        sa.PrimaryKeyConstraint('response_id', name=op.f('pk_thanks_answer')),
    )
    with op.batch_alter_table('thanks_answer', schema=None) as batch_op:
        batch_op.create_index('ix_thanks_answer_survey_answered', ['survey_id', 'answered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('thanks_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_thanks_answer_survey_answered')
    op.drop_table('thanks_answer')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('thanks_step')
