"""the beta's "ready to try" emails are news of their fix: fix_news rows for those queued before

Revision ID: 0026_beta_ready_told
Revises: 0025_thanks_step
Create Date: 2026-12-04

"""
from alembic import op

revision = '0026_beta_ready_told'
down_revision = '0025_thanks_step'
branch_labels = None
depends_on = None

# Each tester's email is found by its unique outbox key, fix-beta-ready:<fix>:<customer> (triage.loop.beta):
# one index probe per tester, on both databases; run again, it adds nothing.
BACKFILL = """
INSERT INTO fix_news (fix_id, email_id)
SELECT tester.fix_id, email.id
FROM beta_tester AS tester
JOIN outbox_email AS email
  ON email.dedupe_key = 'fix-beta-ready:' || CAST(tester.fix_id AS VARCHAR) || ':' || CAST(tester.customer_id AS VARCHAR)
WHERE NOT EXISTS (SELECT 1 FROM fix_news AS told WHERE told.fix_id = tester.fix_id AND told.email_id = email.id)
"""


def upgrade():
    op.execute(BACKFILL)


def downgrade():
    op.execute("DELETE FROM fix_news WHERE email_id IN "
               "(SELECT id FROM outbox_email WHERE dedupe_key LIKE 'fix-beta-ready:%')")
