"""the sweep and its tallies: answers waiting for it, score / type / theme tallies, the triage list's copies
and indexes, a survey's invitation count

Every existing answer starts as waiting for the sweep (pending), which counts it into the tallies and fills
the triage records' copies; `feedback rebuild tallies` does the same for a large database in one go.

Revision ID: 0006_lead
Revises: 0005_hardening
Create Date: 2026-12-03 11:53:37.178359

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_lead'
down_revision = '0005_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_tally',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('survey_id', 'channel', 'kind', 'week', 'score', name=op.f('pk_score_tally'))
    )
    op.create_table('theme_group',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_theme_group'))
    )
    with op.batch_alter_table('theme_group', schema=None) as batch_op:
        batch_op.create_index('ix_theme_group_size', ['size'], unique=False)

    op.create_table('theme_tally',
    sa.Column('theme_group', sa.String(length=120), nullable=False),
    sa.Column('type_key', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('theme_group', 'type_key', 'language', 'survey_id', 'band', name=op.f('pk_theme_tally'))
    )
    with op.batch_alter_table('theme_tally', schema=None) as batch_op:
        batch_op.create_index('ix_theme_tally_survey', ['survey_id', 'theme_group'], unique=False)
        batch_op.create_index('ix_theme_tally_type', ['type_key', 'theme_group'], unique=False)

    op.create_table('type_tally',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('type_key', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=8), nullable=False),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'type_key', 'language', 'survey_id', 'band', 'needs_review', name=op.f('pk_type_tally'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('tallied', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('tallied_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('awaits_contact', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_response_answered', ['answered_at', 'id'], unique=False)
        batch_op.create_index('ix_response_awaits_contact', ['answered_at'], unique=False, sqlite_where=sa.text('awaits_contact = 1'), postgresql_where=sa.text('awaits_contact'))
        batch_op.create_index('ix_response_pending', ['id'], unique=False, sqlite_where=sa.text('pending = 1'), postgresql_where=sa.text('pending'))
        batch_op.create_index('ix_response_follow_up', ['answered_at', 'id'], unique=False, sqlite_where=sa.text('awaits_contact = 1 AND contacted_at IS NULL'), postgresql_where=sa.text('awaits_contact AND contacted_at IS NULL'))
        batch_op.create_index('ix_response_survey_answered', ['survey_id', 'answered_at'], unique=False)

    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_group', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('survey_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('band', sa.String(length=8), nullable=True))
        batch_op.drop_index(batch_op.f('ix_triage_item_type_key'))
        batch_op.create_index('ix_triage_item_band_list', ['band', 'needs_review', 'answered_at', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_group_list', ['theme_group', 'needs_review', 'answered_at', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_language_list', ['language', 'needs_review', 'answered_at', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_list', ['needs_review', 'answered_at', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_model', ['model_version', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_survey_list', ['survey_id', 'needs_review', 'answered_at', 'id'], unique=False)
        batch_op.create_index('ix_triage_item_type_list', ['type_key', 'needs_review', 'answered_at', 'id'], unique=False)



    # What can be copied in SQL is copied now; band and theme group follow from the sweep's rules.
    op.execute("UPDATE triage_item SET answered_at = (SELECT answered_at FROM response WHERE response.id = "
               "triage_item.response_id), survey_id = (SELECT survey_id FROM response WHERE response.id = "
               "triage_item.response_id)")
    op.execute("UPDATE survey SET invited = (SELECT count(*) FROM invitation WHERE invitation.survey_id = survey.id)")

def downgrade():
    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        batch_op.drop_index('ix_triage_item_type_list')
        batch_op.drop_index('ix_triage_item_survey_list')
        batch_op.drop_index('ix_triage_item_model')
        batch_op.drop_index('ix_triage_item_list')
        batch_op.drop_index('ix_triage_item_language_list')
        batch_op.drop_index('ix_triage_item_group_list')
        batch_op.drop_index('ix_triage_item_band_list')
        batch_op.create_index(batch_op.f('ix_triage_item_type_key'), ['type_key'], unique=False)
        batch_op.drop_column('band')
        batch_op.drop_column('survey_id')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('theme_group')

    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('invited')

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_survey_answered')
        batch_op.drop_index('ix_response_pending', sqlite_where=sa.text('pending = 1'), postgresql_where=sa.text('pending'))
        batch_op.drop_index('ix_response_follow_up')
        batch_op.drop_index('ix_response_awaits_contact', sqlite_where=sa.text('awaits_contact = 1'), postgresql_where=sa.text('awaits_contact'))
        batch_op.drop_index('ix_response_answered')
        batch_op.drop_column('awaits_contact')
        batch_op.drop_column('tallied_score')
        batch_op.drop_column('tallied')
        batch_op.drop_column('pending')

    op.drop_table('type_tally')
    with op.batch_alter_table('theme_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_tally_type')
        batch_op.drop_index('ix_theme_tally_survey')

    op.drop_table('theme_tally')
    with op.batch_alter_table('theme_group', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_group_size')

    op.drop_table('theme_group')
    op.drop_table('score_tally')
