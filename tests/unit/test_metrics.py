"""The dashboard's definitions, each on a worked example small enough to check by hand."""
from datetime import date, datetime, timedelta

import pytest

from triage.metrics import (LoopAnswer, ShippedFix, answers_per_type, contacted_share, customer_of, days_to_ship,
                            parse_weeks, period, told)

NOW = datetime(2026, 11, 25, 15, 30)  # a Wednesday


@pytest.mark.parametrize("raw, weeks", [("4", 4), ("12", 12), ("52", 52), (" 12 ", 12), ("7", None), ("", None),
                                        (None, None), ("-4", None), ("١٢", None), ("12.0", None)])
def test_only_the_offered_periods_are_accepted(raw, weeks):
    assert parse_weeks(raw) == weeks


def test_a_period_is_whole_weeks_ending_with_this_one():
    four = period(NOW, 4)
    # This week started on Monday 23 November; three whole weeks before it start on 2 November.
    assert four.start == datetime(2026, 11, 2) and four.end == NOW
    assert four.week_starts == (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23))
    assert len(period(NOW, 52).week_starts) == 52


def test_answers_are_counted_per_week_and_type_in_the_team_order_with_no_type_last():
    weeks = period(NOW, 2).week_starts  # 16 and 23 November
    rows = [(datetime(2026, 11, 16, 9), "pricing"), (datetime(2026, 11, 22, 23, 59), "pricing"),
            (datetime(2026, 11, 23, 0, 0), "pricing"), (datetime(2026, 11, 24), "usability"),
            (datetime(2026, 11, 24), None), (datetime(2026, 11, 17), "shipping"),   # a key not in the order
            (datetime(2026, 11, 15, 23, 59), "usability")]                         # before the period
    result = answers_per_type(rows, weeks, ["functionality", "usability", "pricing"])
    assert [(s.key, s.counts) for s in result.series] == [
        ("usability", (0, 1)), ("pricing", (2, 1)), ("shipping", (1, 0)), (None, (0, 1))]
    assert result.week_totals == (3, 3) and result.total == 6


def test_no_answers_means_no_series():
    result = answers_per_type([], period(NOW, 4).week_starts, ["pricing"])
    assert result.series == () and result.week_totals == (0, 0, 0, 0) and result.total == 0


def answer(respondent, score=2, kind="nps", comment=True, may_contact=True, contacted=False, told_=False):
    return LoopAnswer(respondent, kind, score, comment, may_contact, contacted, told_)


def test_contacted_share_counts_reachable_unhappy_respondents_once_each():
    share = contacted_share([
        answer("customer:1", contacted=True),              # reached by a person
        answer("customer:2", told_=True),                  # reached by the news of a fix
        answer("customer:3"), answer("customer:3", score=0),  # twice unhappy, never reached: one person
        answer("customer:4", kind="csat", score=2),        # unhappy on CSAT, not reached
        answer("customer:4", kind="csat", score=1, contacted=True),  # ... but reached through another answer
        answer("customer:5", score=7),                     # passive: not unhappy
        answer("customer:6", may_contact=False),           # did not opt in
        answer("customer:7", comment=False),               # said nothing to follow up on
        answer("customer:8", kind="ces", score=4),         # CES 4 is neutral
        answer("response:9", kind=None, score=None),       # no score: not known to be unhappy
    ])
    # Reachable unhappy: 1, 2, 3, 4 → 4 people; reached: 1, 2, 4 → 3 of 4.
    assert (share.part, share.whole) == (3, 4) and share.percent == 75.0


def test_no_one_to_contact_has_no_share():
    assert contacted_share([answer("customer:1", score=10)]).percent is None


def test_median_days_from_first_feedback_to_shipping():
    shipped = datetime(2026, 11, 20, 12)
    result = days_to_ship([
        ShippedFix(1, shipped, shipped - timedelta(days=10)),
        ShippedFix(2, shipped, shipped - timedelta(days=3, hours=12)),
        ShippedFix(3, shipped, shipped - timedelta(days=30)),
        ShippedFix(4, shipped, shipped - timedelta(days=1)),
        ShippedFix(5, shipped, None),                           # no linked feedback at all
        ShippedFix(6, shipped, shipped + timedelta(days=2)),    # feedback only came after shipping
    ])
    # Delays 10, 3.5, 30, 1 days → sorted 1, 3.5, 10, 30 → median (3.5 + 10) / 2 = 6.75.
    assert (result.median, result.fixes, result.without_feedback) == (6.75, 4, 2)


def test_no_shipped_fix_has_no_median():
    assert days_to_ship([]).median is None


def test_respondents_told_are_distinct_customers_with_delivered_news():
    result = told([("fix-planned:1:7", "sent"), ("fix-shipped:1:7", "sent"),   # customer 7, twice: one person
                   ("fix-shipped:2:8", "sent"), ("fix-shipped:2:9", "pending"), ("fix-shipped:3:9", "sending"),
                   ("fix-shipped:2:10", "failed"), ("survey-invitation:4", "sent"),  # not news of a fix
                   ("fix-shipped:2:11", "suppressed")])  # never sent on purpose: not waiting for ever
    assert (result.respondents, result.waiting, result.failed) == (2, 2, 1)


@pytest.mark.parametrize("key, customer", [("fix-shipped:12:345", 345), ("fix-planned:1:2", 2),
                                           ("follow-up-digest:2026-11-23:4", None), ("fix-shipped:1:x", None)])
def test_the_customer_is_read_from_the_email_key(key, customer):
    assert customer_of(key) == customer
