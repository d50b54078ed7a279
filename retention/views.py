"""The Retention page (GET /retention): the stored figures of a month or a quarter with their definitions, their
monthly trend, the customers per stage and the moves between stages per month (retention.overview reads them)."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from feedback_app.core.clock import utcnow
from retention.blueprint import retention
from retention.overview import LIVE_CAP, TREND_KEYS, overview
from retention.stages import STAGES
from retention.wording import STAGE_HINTS, STAGE_NAMES
from surveys.people.segment_store import listed_segments
from surveys.people.segment_views import requested_segment

# The translated twin of retention.kpis.DEFINITIONS, with the same keys (a test holds them together).
DEFINITIONS = {
    "customers_start": _l("Customers who had started before the period and had not left before it began."),
    "customers_end": _l("Customers who had started before the period ended and had not left by then."),
    "new": _l("Customers whose first day as a customer fell inside the period."),
    "lost": _l("Customers who left during the period, including new customers who left again."),
    "crr": _l("Customer retention rate: customers at the end minus new customers, over customers at the start."),
    "churn_rate": _l("Customers lost during the period over customers at the start; retention and churn add to "
                     "100 %."),
    "repeat_rate": _l("Customers with two or more purchases in the period over customers with at least one."),
    "purchase_frequency": _l("Purchases in the period per customer who purchased in it."),
    "one_and_done_share": _l("Customers who have bought exactly once so far over all who have ever bought."),
    "top_10_percent_share": _l("Share of the period's revenue (or of recurring revenue) held by the top tenth of "
                               "customers."),
    "largest_customer_share": _l("Share of the period's revenue (or of recurring revenue) held by the largest "
                                 "customer."),
    "contact_median_days": _l("Median days from an unhappy answer to the team's first contact with that customer."),
    "contacted_within_2_days": _l("Unhappy respondents the team contacted within two days of their answer."),
    "fix_median_days": _l("Median days from the first feedback linked to a fix to the fix shipping."),
}

FIGURE_NAMES = {
    "customers_start": _l("Customers at the start"), "customers_end": _l("Customers at the end"),
    "new": _l("New customers"), "lost": _l("Lost customers"), "crr": _l("Retention rate (CRR)"),
    "churn_rate": _l("Churn rate"), "repeat_rate": _l("Repeat customer rate"),
    "purchase_frequency": _l("Purchase frequency"), "one_and_done_share": _l("Bought once, never again"),
    "top_10_percent_share": _l("Share of the top tenth of customers"),
    "largest_customer_share": _l("Largest customer's share"),
    "contact_median_days": _l("Days to first contact (median)"),
    "contacted_within_2_days": _l("Unhappy respondents contacted within 2 days"),
    "fix_median_days": _l("Days from feedback to shipped fix (median)"),
}
# How each figure is written: a count, a percentage, or a number of days or purchases.
PERCENT = {"crr", "churn_rate", "repeat_rate", "one_and_done_share", "top_10_percent_share",
           "largest_customer_share", "contacted_within_2_days"}
COUNTS = {"customers_start", "customers_end", "new", "lost"}

@retention.get("", endpoint="overview")
def overview_page():
    segment = requested_segment()
    data, unknown_period = overview(request.args.get("period"), utcnow(), segment,
                                    current_app.config["IMPACT_VALUE_ATTRIBUTE"])
    return render_template("retention/overview.html", o=data, unknown_period=unknown_period,
                           definitions=DEFINITIONS, figure_names=FIGURE_NAMES, percent=PERCENT, counts=COUNTS,
                           stage_names=STAGE_NAMES, stage_hints=STAGE_HINTS, stages=STAGES, trend_keys=TREND_KEYS,
                           segment=segment, segments=listed_segments(), live_cap=LIVE_CAP)
