"""The dashboard's definitions, each on a worked example small enough to check by hand."""
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from triage.loop.metrics import (
    AWAITING,
    REACHED,
    LoopAnswer,
    Reach,
    ShippedFix,
    answers_per_type,
    contacted_share,
    customer_of,
    days_to_ship,
    kept_share,
    latest_reach,
    parse_weeks,
    period,
    praise_in,
    reach_deltas,
    reached_share,
    told,
    types_per_week,
)

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


def test_each_person_is_kept_as_the_weeks_of_their_latest_answer_and_latest_reached_one():
    reach = latest_reach([
        ("customer:1", datetime(2026, 11, 2, 9), True), ("customer:1", datetime(2026, 11, 20), False),
        ("customer:2", datetime(2026, 11, 22, 23, 59), False),  # a Sunday: the week of Monday 16 November
        ("customer:3", datetime(2026, 10, 1), True), ("customer:3", datetime(2026, 10, 29), True),
    ])
    assert reach == {"customer:1": Reach(date(2026, 11, 16), date(2026, 11, 2)),
                     "customer:2": Reach(date(2026, 11, 16), None),
                     "customer:3": Reach(date(2026, 10, 26), date(2026, 10, 26))}
    assert reach_deltas({}, reach) == Counter({(date(2026, 11, 16), AWAITING): 2, (date(2026, 11, 2), REACHED): 1,
                                               (date(2026, 10, 26), AWAITING): 1, (date(2026, 10, 26), REACHED): 1})
    # From 9 November: 1 and 2 answered in the period, and neither was reached through an answer in it.
    counted = {AWAITING: 2, REACHED: 0}
    assert kept_share(counted, date(2026, 11, 9)) == reached_share([("customer:1", False), ("customer:2", False)])


def test_a_person_whose_answers_did_not_change_moves_no_count():
    same = {"customer:1": Reach(date(2026, 11, 16), None)}
    assert reach_deltas(same, dict(same)) == Counter()
    moved = reach_deltas(same, {"customer:1": Reach(date(2026, 11, 23), date(2026, 11, 23))})
    assert moved == Counter({(date(2026, 11, 16), AWAITING): -1, (date(2026, 11, 23), AWAITING): 1,
                             (date(2026, 11, 23), REACHED): 1})


def sums_from(deltas: Counter, first_week: date) -> dict[str, int]:
    counted = Counter()
    for (week, latest), n in deltas.items():
        if week >= first_week:
            counted[latest] += n
    return counted


@pytest.mark.parametrize("seed", range(20))
def test_kept_counts_give_the_share_of_any_period_as_the_definition_does(seed):
    """Random answers awaiting a call over 60 weeks, kept per person and moved one change at a time, give for
    every period ending now the share reached_share gives from the period's answers themselves."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 25, 15, 30)
    answers = [(f"customer:{rng.randrange(12)}", now - timedelta(minutes=rng.randrange(60 * 7 * 24 * 60)),
                rng.random() < 0.3) for _ in range(rng.randrange(1, 40))]
    kept, deltas = {}, Counter()
    for n in range(len(answers)):  # the sweep marks one more answer, or one becomes reached: people move
        people = latest_reach(answers[:n + 1])
        deltas.update(reach_deltas(kept, people))
        kept = people
    assert +deltas == reach_deltas({}, latest_reach(answers))  # moved one at a time = counted from scratch
    for weeks in range(1, 61):
        span = period(now, weeks)
        in_period = [(person, reached) for person, at, reached in answers if span.start <= at <= span.end]
        assert kept_share(sums_from(deltas, span.week_starts[0]), span.week_starts[0]) == reached_share(in_period)


def test_people_the_sweep_has_yet_to_mark_are_counted_as_they_will_be():
    first = date(2026, 11, 2)
    counted = {AWAITING: 5, REACHED: 2}
    corrections = [
        (None, Reach(date(2026, 11, 23), None)),                           # new: one more person
        (Reach(date(2026, 11, 9), date(2026, 11, 9)), None),               # their only answer no longer awaits
        (Reach(date(2026, 10, 5), None), Reach(date(2026, 11, 23), None)),  # was before the period, now in it
        (Reach(date(2026, 11, 16), None), Reach(date(2026, 11, 16), date(2026, 11, 16))),  # unchanged person, reached
    ]
    assert kept_share(counted, first, corrections) == kept_share({AWAITING: 6, REACHED: 2}, first)


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


def test_praise_is_left_out_of_the_types_and_counted_apart():
    weeks = (date(2026, 11, 9), date(2026, 11, 16))
    counted = {(weeks[0], "praise"): 4, (weeks[1], "praise"): 1, (weeks[1], "pricing"): 2, (weeks[0], None): 1,
               (date(2026, 11, 2), "praise"): 7}  # a week before the period
    over_time = types_per_week(counted, weeks, ["pricing", "praise"])
    assert [(s.key, s.counts) for s in over_time.series] == [("pricing", (0, 2)), (None, (1, 0))]
    assert over_time.total == 3 and praise_in(counted, weeks) == 5
