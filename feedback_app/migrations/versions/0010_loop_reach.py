"""the dashboard's "unhappy respondents contacted" kept per person (latest weeks) and per week (counts of
people), so the page sums a few rows instead of reading every answer awaiting a call in the period

Filled here from the answers the sweep marked, as triage.loop.reach.rebuild would (a test compares the two).

Revision ID: 0010_loop_reach
Revises: 0009_delivered
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_loop_reach'
down_revision = '0009_delivered'
branch_labels = None
depends_on = None

NEWS_EVENTS = ('fix-planned', 'fix-shipped')  # triage.loop.policy.LOOP_EVENTS, as keyed in the outbox
# The Monday of an answer's week (surveys.scales.scoring.week_start). SQLite moves to the week's Sunday, then back,
# from the day alone: its time functions round to milliseconds (a Sunday 23:59:59.9996 would be Monday).
WEEK = {'postgresql': "CAST(date_trunc('week', answer.answered_at) AS DATE)",
        'sqlite': "date(substr(answer.answered_at, 1, 10), 'weekday 0', '-6 days')"}


def upgrade():
    op.create_table('loop_person',
    sa.Column('person', sa.String(length=40), nullable=False),
    sa.Column('awaiting_week', sa.Date(), nullable=False),
    sa.Column('reached_week', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('person', name=op.f('pk_loop_person'))
    )
    op.create_table('loop_tally',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('latest', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'latest', name=op.f('pk_loop_tally'))
    )
    week = WEEK[op.get_bind().dialect.name]
    customer = "CAST(answer.customer_id AS VARCHAR(20))"
    news = ", ".join(f"'{event}:' || CAST(fix_link.fix_id AS VARCHAR(20)) || ':' || {customer}" for event in NEWS_EVENTS)
    # Each answer awaiting a call with its person (customer:<id>, or response:<id> when nobody can be traced)
    # and whether it reached them: marked contacted, or news of a fix it supports delivered to its customer.
    answers = (
        f"SELECT CASE WHEN answer.customer_id IS NULL THEN 'response:' || CAST(answer.id AS VARCHAR(20)) "
        f"ELSE 'customer:' || {customer} END AS person, {week} AS week, "
        f"CASE WHEN answer.contacted_at IS NOT NULL OR EXISTS (SELECT 1 FROM fix_link JOIN outbox_email "
        f"ON outbox_email.dedupe_key IN ({news}) AND outbox_email.status = 'sent' "
        f"WHERE fix_link.response_id = answer.id) THEN 1 ELSE 0 END AS reached "
        f"FROM (SELECT response.id, response.answered_at, response.contacted_at, "
        f"COALESCE(response.customer_id, invitation.customer_id) AS customer_id FROM response "
        f"LEFT OUTER JOIN invitation ON invitation.id = response.invitation_id "
        f"WHERE response.awaits_contact) AS answer")
    op.execute(f"INSERT INTO loop_person (person, awaiting_week, reached_week) "
               f"SELECT person, MAX(week), MAX(CASE WHEN reached = 1 THEN week END) FROM ({answers}) AS awaiting "
               f"GROUP BY person")
    op.execute("INSERT INTO loop_tally (week, latest, count) "
               "SELECT awaiting_week, 'awaiting', COUNT(*) FROM loop_person GROUP BY awaiting_week "
               "UNION ALL SELECT reached_week, 'reached', COUNT(*) FROM loop_person "
               "WHERE reached_week IS NOT NULL GROUP BY reached_week")


def downgrade():
    op.drop_table('loop_tally')
    op.drop_table('loop_person')
