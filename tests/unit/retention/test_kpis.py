"""The retention figures, each on a worked example small enough to check by hand."""
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention.kpis import (
    DEFINITIONS,
    Accumulator,
    CustomerHistory,
    Lifetime,
    Period,
    Purchase,
    lifetime_of,
    months,
    report,
    top_count,
    trend,
)

JANUARY = Period(datetime(2026, 1, 1), datetime(2026, 2, 1))
LATER = datetime(2026, 3, 1)  # "now", well after January: the month is complete


def alive(starts, ends=None, purchases=(), mrr=None):
    return CustomerHistory(Lifetime(starts, ends), tuple(purchases), mrr)


def bought(*moments, amount=None):
    return [Purchase(moment, amount) for moment in moments]


# ---------------------------------------------------------------- S, E, N, lost, CRR, churn

def test_crr_and_churn_on_the_issues_worked_example():
    old = datetime(2025, 6, 1)
    customers = [alive(old) for _ in range(9)]
    customers.append(alive(old, datetime(2026, 1, 10)))               # one of S leaves in January
    customers += [alive(datetime(2026, 1, 5)), alive(datetime(2026, 1, 15)),
                  alive(datetime(2026, 1, 12), datetime(2026, 1, 20))]  # three new, one of whom leaves again
    customers += [alive(old, datetime(2025, 12, 1)),                  # left before January: nowhere
                  alive(datetime(2026, 2, 3)),                         # starts after January: nowhere
                  alive(None)]                                         # never started: nowhere
    result = report(JANUARY, customers, now=LATER)
    # S = 10, N = 3, lost = 2 (one of S, one of N), E = S + N − lost = 11.
    assert (result.customers_start, result.new, result.lost, result.lost_new, result.customers_end) == (10, 3, 2, 1, 11)
    # CRR = (E − N) / S × 100 = (11 − 3) / 10 × 100 = 80.0; churn = lost / S = 2 / 10 = 20.0: they add to 100.
    assert result.crr == pytest.approx(80.0)
    assert result.churn_rate == pytest.approx(20.0)


def test_boundaries_of_a_period_are_start_included_end_excluded():
    customers = [
        alive(datetime(2026, 1, 1)),                            # starts exactly at the start: new, not in S
        alive(datetime(2025, 1, 1), datetime(2026, 1, 1)),      # ends exactly at the start: in S, and lost
        alive(datetime(2025, 1, 1), datetime(2026, 2, 1)),      # ends exactly at the end: in S and E, not lost
        alive(datetime(2026, 2, 1)),                            # starts exactly at the end: nowhere
    ]
    result = report(JANUARY, customers, now=LATER)
    # S = 2 (the 2nd and 3rd), N = 1, lost = 1, E = 2 + 1 − 1 = 2; CRR = (2 − 1) / 2 = 50 %.
    assert (result.customers_start, result.new, result.lost, result.customers_end) == (2, 1, 1, 2)
    assert result.crr == pytest.approx(50.0) and result.churn_rate == pytest.approx(50.0)


def test_a_period_not_over_yet_is_measured_as_of_now():
    now = datetime(2026, 1, 15)
    customers = [
        alive(datetime(2025, 1, 1), datetime(2026, 1, 20)),  # ends after now: not lost yet, still at the "end"
        alive(datetime(2026, 1, 10)),                         # new so far
        alive(datetime(2026, 1, 18)),                         # starts after now: not counted yet
        alive(datetime(2025, 1, 1), purchases=bought(datetime(2026, 1, 5), datetime(2026, 1, 16))),
    ]
    result = report(JANUARY, customers, now=now)
    assert result.as_of == now
    # S = 2, N = 1, lost = 0, E = 3: CRR = (3 − 1) / 2 = 100 %. The purchase of 16 January is in the future.
    assert (result.customers_start, result.new, result.lost, result.customers_end) == (2, 1, 0, 3)
    assert result.crr == 100.0 and result.purchases == 1


def test_a_period_still_ahead_counts_no_one_new_or_lost():
    result = report(JANUARY, [alive(datetime(2025, 1, 1)), alive(datetime(2025, 12, 1), datetime(2026, 1, 5))],
                    now=datetime(2025, 12, 20))
    # Measured at its start (as_of = 1 January): both alive then; nothing happened inside it yet.
    assert result.as_of == JANUARY.start
    assert (result.customers_start, result.new, result.lost, result.customers_end) == (2, 0, 0, 2)


def test_an_end_before_the_start_ends_the_lifetime_when_it_started():
    result = report(JANUARY, [alive(datetime(2026, 1, 10), datetime(2025, 1, 1))], now=LATER)
    assert (result.new, result.lost, result.lost_new, result.customers_end) == (1, 1, 1, 0)


def test_no_customers_gives_none_never_a_division_by_zero():
    result = report(JANUARY, [], now=LATER)
    assert (result.crr, result.churn_rate, result.repeat_rate, result.purchase_frequency,
            result.one_and_done_share) == (None,) * 5
    assert result.concentration.top_share is None and result.concentration.basis is None
    assert result.contact.median_days is None and result.contact.within_2_days is None
    assert result.fix_median_days is None and result.revenue is None


# ---------------------------------------------------------------- purchases

def test_repeat_rate_frequency_and_one_and_done():
    old = datetime(2025, 1, 1)
    customers = [
        alive(old, purchases=bought(datetime(2026, 1, 2), datetime(2026, 1, 9), datetime(2026, 1, 30))),  # A: 3
        alive(old, purchases=bought(datetime(2025, 12, 5), datetime(2026, 1, 7))),                        # B: 1
        alive(old, purchases=bought(datetime(2026, 1, 31, 23, 59), datetime(2026, 1, 1))),                # C: 2
        alive(old, purchases=bought(datetime(2025, 12, 24))),                                             # D: 0
        alive(old, purchases=bought(datetime(2026, 2, 1))),                                               # E: 0
        alive(old),
    ]
    result = report(JANUARY, customers, now=LATER)
    # Bought in January: A, B, C (3); twice or more: A and C (2) → repeat rate 2 / 3 = 66.7 %.
    assert (result.purchasers, result.repeat_customers) == (3, 2)
    assert result.repeat_rate == pytest.approx(200 / 3)
    # January's purchases: 3 + 1 + 2 = 6 over 3 purchasers → 2.0 each.
    assert result.purchases == 6 and result.purchase_frequency == pytest.approx(2.0)
    # Up to 1 February: A (3), B (2), C (2), D (1) ever bought; E's purchase is on the end; only D bought once →
    # one and done 1 / 4 = 25 %.
    assert (result.ever_bought, result.one_and_done) == (4, 1)
    assert result.one_and_done_share == pytest.approx(25.0)


def test_purchases_before_every_period_may_be_counted_instead_of_listed():
    """A reader fetches the periods' purchases only and counts the earlier ones (CustomerHistory.earlier_purchases):
    the figures are those of the full list."""
    old = datetime(2025, 1, 1)
    listed = [alive(old, purchases=bought(datetime(2025, 12, 5), datetime(2026, 1, 7))),   # B of the example above
              alive(old, purchases=bought(datetime(2025, 12, 24))),                        # D
              alive(old, purchases=bought(datetime(2025, 11, 1), datetime(2025, 12, 1)))]  # bought twice before
    counted = [CustomerHistory(Lifetime(old), tuple(bought(datetime(2026, 1, 7))), earlier_purchases=1),
               CustomerHistory(Lifetime(old), earlier_purchases=1),
               CustomerHistory(Lifetime(old), earlier_purchases=2)]
    february = Period(datetime(2026, 2, 1), datetime(2026, 3, 1))
    full, short = trend([JANUARY, february], listed, now=LATER), trend([JANUARY, february], counted, now=LATER)
    assert full == short
    # January: B bought once in it (1 purchaser, no repeat); ever bought all three; only D exactly once → 1 / 3.
    assert (short[0].purchasers, short[0].repeat_customers, short[0].ever_bought, short[0].one_and_done) == (1, 0, 3, 1)


def test_concentration_of_revenue_top_tenth_and_largest():
    day = datetime(2026, 1, 10)
    customers = [alive(datetime(2025, 1, 1), purchases=bought(day, amount=500.0)),
                 alive(datetime(2025, 1, 1), purchases=[Purchase(day, 200.0), Purchase(day, 100.0)])]
    customers += [alive(datetime(2025, 1, 1), purchases=bought(day, amount=10.0)) for _ in range(18)]
    customers.append(alive(datetime(2025, 1, 1), purchases=bought(datetime(2025, 12, 1), amount=9999.0)))  # before
    result = report(JANUARY, customers, now=LATER)
    # Revenue 500 + 300 + 18 × 10 = 980 over 20 customers; the top 10 % is 2 of them: (500 + 300) / 980 = 81.6 %;
    # the largest 500 / 980 = 51.0 %.
    assert result.revenue == pytest.approx(980.0)
    assert result.concentration.basis == "revenue" and result.concentration.customers == 20
    assert result.concentration.top_share == pytest.approx(100 * 800 / 980)
    assert result.concentration.largest_share == pytest.approx(100 * 500 / 980)


def test_refunds_count_in_revenue_but_a_customer_at_or_below_zero_holds_no_share():
    day = datetime(2026, 1, 10)
    customers = [alive(datetime(2025, 1, 1), purchases=[Purchase(day, 100.0), Purchase(day, -100.0)]),
                 alive(datetime(2025, 1, 1), purchases=bought(day, amount=30.0)),
                 alive(datetime(2025, 1, 1), purchases=bought(day, amount=10.0)),
                 alive(datetime(2025, 1, 1), purchases=bought(day))]  # a purchase without an amount
    result = report(JANUARY, customers, now=LATER)
    # Revenue 0 + 30 + 10 = 40; shares over the two positive customers: top 10 % of 2 is 1 → 30 / 40 = 75 %.
    assert result.revenue == pytest.approx(40.0) and result.concentration.customers == 2
    assert result.concentration.top_share == pytest.approx(75.0) == result.concentration.largest_share


def test_concentration_falls_back_to_mrr_of_the_customers_at_the_end():
    customers = [alive(datetime(2025, 1, 1), mrr=100.0), alive(datetime(2025, 1, 1), mrr=50.0),
                 alive(datetime(2025, 1, 1), mrr=50.0), alive(datetime(2025, 1, 1), mrr=None),
                 alive(datetime(2025, 1, 1), datetime(2026, 1, 9), mrr=1000.0),  # lost in January: left out
                 alive(datetime(2025, 1, 1), purchases=bought(datetime(2026, 1, 3)))]  # no amount
    result = report(JANUARY, customers, now=LATER)
    # 100 + 50 + 50 = 200; the top 10 % of 3 is one customer: 100 / 200 = 50 %, also the largest.
    assert result.concentration.basis == "mrr" and result.revenue is None
    assert result.concentration.top_share == pytest.approx(50.0) == result.concentration.largest_share


@pytest.mark.parametrize("share, n, count", [(0.1, 30, 3), (0.1, 20, 2), (0.1, 21, 3), (0.1, 5, 1), (0.1, 0, 1),
                                             (0.3, 10, 3), (0.6, 10, 6), (0.7, 10, 7)])
def test_the_top_share_is_rounded_up_without_float_noise(share, n, count):
    # 0.1 × 30 is 3.0000000000000004 in floating point: ceil would make it 4.
    assert top_count(share, n) == count


# ---------------------------------------------------------------- contacts and fixes

def test_time_to_first_contact_of_unhappy_respondents():
    now = datetime(2026, 2, 10)
    contacts = [(datetime(2026, 1, 5, 9), datetime(2026, 1, 6, 9)),      # 1 day
                (datetime(2026, 1, 10), datetime(2026, 1, 13, 12)),      # 3.5 days
                (datetime(2026, 1, 20), None),                           # never: decided, not within 2 days
                (datetime(2026, 1, 25), datetime(2026, 1, 24)),          # contact before the answer: immediate
                (datetime(2025, 12, 30), datetime(2026, 1, 2))]          # answered before January: left out
    result = report(JANUARY, [], now=now, contacts=contacts)
    # Contacted: 1, 3.5 and 0 days → median 1.0; within 2 days: 2 of the 4 decided → 50 %.
    assert (result.contact.respondents, result.contact.contacted, result.contact.pending) == (4, 3, 0)
    assert result.contact.median_days == pytest.approx(1.0)
    assert result.contact.within_2_days == pytest.approx(50.0)


def test_a_respondent_whose_two_days_are_not_over_is_pending():
    now = datetime(2026, 1, 31, 18)
    contacts = [(datetime(2026, 1, 31, 9), None), (datetime(2026, 1, 28), None),
                (datetime(2026, 1, 30), datetime(2026, 2, 1))]  # a contact after now is not known yet: pending
    result = report(JANUARY, [], now=now, contacts=contacts)
    # Decided: only the one of 28 January, not contacted → 0 of 1.
    assert (result.contact.respondents, result.contact.pending) == (3, 2)
    assert result.contact.within_2_days == 0.0 and result.contact.median_days is None


def test_days_from_first_feedback_to_a_shipped_fix():
    fixes = [(datetime(2025, 12, 1), datetime(2026, 1, 11)),   # 41 days
             (datetime(2026, 1, 2), datetime(2026, 1, 22)),    # 20 days
             (None, datetime(2026, 1, 15)),                    # no feedback: counted apart
             (datetime(2026, 1, 5), datetime(2026, 2, 3))]     # shipped in February: left out
    result = report(JANUARY, [], now=LATER, fixes=fixes)
    # Median of 41 and 20 = 30.5.
    assert (result.fixes_shipped, result.fixes_without_feedback) == (3, 1)
    assert result.fix_median_days == pytest.approx(30.5)


# ---------------------------------------------------------------- lifetimes, months, the contract

@pytest.mark.parametrize("since, ended, first, cancel, other, expected", [
    (datetime(2025, 3, 1), None, datetime(2025, 1, 1), None, None, (datetime(2025, 3, 1), None)),  # since wins
    (None, None, datetime(2025, 1, 1), None, None, (datetime(2025, 1, 1), None)),   # else the first activity
    (None, None, None, None, None, (None, None)),                                   # nothing known
    (None, datetime(2025, 6, 1), datetime(2025, 1, 1), datetime(2025, 5, 1), None,
     (datetime(2025, 1, 1), datetime(2025, 6, 1))),                                  # ended_at wins over a cancel
    (None, None, datetime(2025, 1, 1), datetime(2025, 5, 1), datetime(2025, 4, 1),
     (datetime(2025, 1, 1), datetime(2025, 5, 1))),                                  # cancel, nothing after it
    (None, None, datetime(2025, 1, 1), datetime(2025, 5, 1), datetime(2025, 7, 1),
     (datetime(2025, 1, 1), None)),                                                  # cancelled, came back
    (None, None, datetime(2025, 1, 1), datetime(2025, 5, 1), datetime(2025, 5, 1),
     (datetime(2025, 1, 1), datetime(2025, 5, 1))),                                  # same moment: cancelled
    (datetime(2025, 3, 1), datetime(2025, 2, 1), None, None, None,
     (datetime(2025, 3, 1), datetime(2025, 3, 1))),                                  # end before start: clamped
])
def test_the_lifetime_rule(since, ended, first, cancel, other, expected):
    lifetime = lifetime_of(since, ended, first, cancel, other)
    assert (lifetime.starts, lifetime.ends) == expected


def test_months_cover_the_range_in_whole_calendar_months():
    assert months(datetime(2025, 11, 10), datetime(2026, 2, 2)) == [
        Period(datetime(2025, 11, 1), datetime(2025, 12, 1)), Period(datetime(2025, 12, 1), datetime(2026, 1, 1)),
        Period(datetime(2026, 1, 1), datetime(2026, 2, 1)), Period(datetime(2026, 2, 1), datetime(2026, 3, 1))]
    assert [p.start.month for p in months(datetime(2026, 1, 1), datetime(2026, 4, 1))] == [1, 2, 3]
    assert months(datetime(2026, 1, 15), datetime(2026, 1, 15)) == []
    assert len(months(datetime(2025, 1, 1), datetime(2026, 1, 1))) == 12


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(datetime(2026, 2, 1), datetime(2026, 1, 1))


def test_the_json_contract_and_the_definitions_beside_it():
    result = report(JANUARY, [alive(datetime(2025, 1, 1))], now=LATER)
    data = json.loads(json.dumps(result.as_dict()))
    assert {"customers_start", "customers_end", "new", "lost", "crr", "churn_rate", "repeat_rate",
            "purchase_frequency"} <= data.keys()
    assert data["start"] == "2026-01-01T00:00:00" and data["crr"] == 100.0 and data["customers_start"] == 1
    assert DEFINITIONS.keys() <= data.keys()
    assert all(text.endswith(".") and text.count(". ") == 0 for text in DEFINITIONS.values())


def test_streamed_one_at_a_time_and_by_month_gives_the_same_figures():
    customers = [alive(datetime(2025, 12, 1) + timedelta(days=3 * i),
                       datetime(2026, 1, 1) + timedelta(days=5 * i) if i % 3 == 0 else None,
                       bought(*(datetime(2026, 1, 1) + timedelta(days=i + 9 * k) for k in range(i % 4)), amount=10.0))
                 for i in range(30)]
    accumulator = Accumulator(JANUARY, LATER)
    for customer in customers:
        accumulator.add(customer)
    assert accumulator.result() == report(JANUARY, customers, now=LATER)
    by_month = trend(months(datetime(2025, 12, 1), datetime(2026, 3, 1)), iter(customers), now=LATER)
    assert [r.period.start.month for r in by_month] == [12, 1, 2]
    assert by_month[1] == report(JANUARY, customers, now=LATER)


# ---------------------------------------------------------------- properties

MOMENTS = st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2026, 8, 1))
HISTORIES = st.builds(
    alive, st.none() | MOMENTS, st.none() | MOMENTS,
    st.lists(st.builds(Purchase, MOMENTS, st.none() | st.floats(-50, 500, allow_nan=False)), max_size=5),
    st.none() | st.floats(0, 1000, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(HISTORIES, max_size=30), MOMENTS)
def test_properties_of_any_population(customers, now):
    result = report(JANUARY, customers, now=now)
    assert result.customers_end == result.customers_start + result.new - result.lost
    if result.customers_start:
        assert result.crr <= 100 and result.crr + result.churn_rate == pytest.approx(100)
    for share in (result.repeat_rate, result.one_and_done_share, result.concentration.top_share,
                  result.concentration.largest_share, result.contact.within_2_days):
        assert share is None or 0 <= share <= 100 + 1e-9
    if result.concentration.top_share is not None:
        assert result.concentration.top_share >= result.concentration.largest_share - 1e-9
    assert result.purchase_frequency is None or result.purchase_frequency >= 1
