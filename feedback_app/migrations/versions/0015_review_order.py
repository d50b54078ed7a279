"""the "needs review" list in the order that teaches the model most: each record's review priority (margin
uncertainty times density, lowered for later members of a theme group), its rank in its group and its density;
the list indexes end in the priority

Revision ID: 0015_review_order
Revises: 0014_theme_names
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_review_order'
down_revision = '0014_theme_names'
branch_labels = None
depends_on = None

FILTERS = {'ix_triage_item_list': [], 'ix_triage_item_type_list': ['type_key'],
           'ix_triage_item_survey_list': ['survey_id'], 'ix_triage_item_language_list': ['language'],
           'ix_triage_item_band_list': ['band'], 'ix_triage_item_group_list': ['theme_group']}


def _indexes(batch_op, order):
    for name, first in FILTERS.items():
        batch_op.drop_index(name)
        batch_op.create_index(name, [*first, *order], unique=False)


def upgrade():
    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('group_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_density', sa.Float(), nullable=True))
        _indexes(batch_op, ['needs_review', 'review_priority', 'answered_at', 'id'])
    # Until the next model re-classifies them, records waiting for review are ordered by how unsure the model
    # was (the margin between its two likeliest types was not kept before).
    op.execute("UPDATE triage_item SET review_priority = CAST(ROUND((1 - confidence) * 10000) AS INTEGER) "
               "WHERE needs_review")


def downgrade():
    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        _indexes(batch_op, ['needs_review', 'answered_at', 'id'])
        batch_op.drop_column('review_density')
        batch_op.drop_column('group_rank')
        batch_op.drop_column('review_priority')
