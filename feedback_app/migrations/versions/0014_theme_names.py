"""a theme group's name, given by the team: shown instead of its automatic label (its first member's phrase)

Revision ID: 0014_theme_names
Revises: 0013_brand
Create Date: 2026-12-04

Existing groups keep their automatic labels until `feedback rebuild tallies` refreshes them from their
members' current phrases (docs/architecture.md, "A theme reads as a phrase"); no group has a name yet.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_theme_names'
down_revision = '0013_brand'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('theme_group') as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('theme_group') as batch_op:
        batch_op.drop_column('name')
