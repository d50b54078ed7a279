"""Retention: who stays, who goes quiet, who left — and whether closing the loop keeps customers.

The domain beside `surveys` and `triage` (which it reads): a customer's lifetime (from `customer_since` or their
first activity to `ended_at` or a cancel they did not come back from) and their activity (purchases, logins,
renewals from the team's systems) give the retention figures of any period (kpis: CRR, churn, repeat rate,
frequency, one-and-done share, concentration), each customer's lifecycle stage against their own rhythm (stages:
new, active, silent, at_risk, lost), the incentive tier of a win-back email (incentives), the customer-fit matrix of
value against cost to serve (fit), and the careful comparison of the retention of told and not-told respondents
(comparison). Those decisions are pure modules; tables, use cases, pages and commands sit around them.
"""
