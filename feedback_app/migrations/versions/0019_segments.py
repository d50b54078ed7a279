"""segments: saved filters over customers (segment)

Revision ID: 0019_segments
Revises: 0018_retention_figures
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_segments'
down_revision = '0018_retention_figures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'segment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_segment_created_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_segment')),
        sa.UniqueConstraint('name', name=op.f('uq_segment_name')),
    )


def downgrade():
    op.drop_table('segment')
