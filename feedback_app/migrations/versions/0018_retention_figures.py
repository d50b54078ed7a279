"""retention figures: what the refresh computed, kept for the pages (retention_figure)

Revision ID: 0018_retention_figures
Revises: 0017_retention
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_retention_figures'
down_revision = '0017_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'retention_figure',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_retention_figure')),
    )


def downgrade():
    op.drop_table('retention_figure')
