"""the optional encoder: cached sentence vectors per text, its classifier head, and which head refined a record

Revision ID: 0016_text_embeddings
Revises: 0015_review_order
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0016_text_embeddings'
down_revision = '0015_review_order'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'text_embedding',
        sa.Column('encoder', sa.String(length=40), nullable=False),
        sa.Column('text_hash', sa.String(length=32), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('encoder', 'text_hash', name=op.f('pk_text_embedding')),
    )
    op.create_table(
        'encoder_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('encoder', sa.String(length=40), nullable=False),
        sa.Column('model_version', sa.Integer(), nullable=False),
        sa.Column('head', sa.Text(), nullable=False),
        sa.Column('examples', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_encoder_head')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refined_by', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_triage_item_refine', ['confirmed', 'model_version', 'refined_by', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('triage_item', schema=None) as batch_op:
        batch_op.drop_index('ix_triage_item_refine')
        batch_op.drop_column('refined_by')
    op.drop_table('encoder_head')
    op.drop_table('text_embedding')
