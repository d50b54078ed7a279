"""Told against not told, and retention by NPS band: the intervals against published values, the
standardisation on a worked example."""
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retention.comparison import (
    Respondent,
    by_nps_band,
    compare,
    newcombe,
    proportion,
    rate_with_interval,
    retained_after,
    stratum_of,
    wilson,
)


# ---------------------------------------------------------------- intervals

@pytest.mark.parametrize("successes, n, low, high", [
    (81, 263, 0.2553, 0.3662),   # Newcombe (1998), "Two-sided confidence intervals for the single proportion"
    (15, 148, 0.0624, 0.1605),
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
])
def test_wilson_interval_matches_published_values(successes, n, low, high):
    assert wilson(successes / n, n) == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), "Interval estimation for the difference between independent proportions", method 10:
    # 56/70 − 48/80 = 0.2000, 95 % interval 0.0524 to 0.3339.
    difference = newcombe(proportion(56, 70), proportion(48, 80))
    assert difference.value == pytest.approx(20.0)
    assert (difference.low, difference.high) == (pytest.approx(5.24, abs=0.005), pytest.approx(33.39, abs=0.005))


def test_a_proportion_of_nobody_has_no_value():
    empty = proportion(0, 0)
    assert (empty.n, empty.value, empty.low, empty.high) == (0, None, None, None)
    assert newcombe(empty, proportion(1, 2)).value is None
    with pytest.raises(ValueError):
        proportion(3, 2)


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_proportion_lies_within_its_interval_within_0_and_100(counts):
    retained, n = counts
    result = proportion(retained, n)
    if n:
        assert 0 <= result.low <= result.value <= result.high <= 100


# ---------------------------------------------------------------- retained, strata

def test_retained_after_a_horizon():
    answered, now = datetime(2026, 1, 1), datetime(2026, 6, 1)
    assert retained_after(answered, None, now, 90) is True
    assert retained_after(answered, datetime(2026, 5, 1), now, 90) is True      # left after day 90
    assert retained_after(answered, datetime(2026, 4, 1), now, 90) is False     # 1 April is day 90: not after it
    assert retained_after(answered, datetime(2025, 12, 1), now, 90) is False    # had left already
    assert retained_after(answered, None, now, 180) is None                     # day 180 is 30 June: not yet


def test_strata_are_kind_band_and_quarter():
    assert stratum_of("nps", 3, datetime(2026, 2, 28)) == ("nps", "unhappy", "2026-Q1")
    assert stratum_of("csat", 5, datetime(2026, 10, 1)) == ("csat", "happy", "2026-Q4")
    assert stratum_of(None, None, datetime(2026, 7, 1)) == (None, None, "2026-Q3")


# ---------------------------------------------------------------- told against not told

def people(stratum, told, n, retained, horizon_180=None):
    return [Respondent(stratum, told, i < retained, horizon_180) for i in range(n)]


def test_not_told_retention_is_standardised_to_the_told_mix():
    respondents = (people("A", True, 20, 18) + people("B", True, 10, 6) + people("C", True, 5, 5)
                   + people("A", False, 50, 40) + people("B", False, 50, 20) + people("D", False, 7, 0))
    result = compare(respondents)[90]
    # Told, in strata with both groups (A, B): (18 + 6) / 30 = 80 %; C has no not-told respondent → 5 unmatched.
    assert (result.told.n, result.told.value) == (30, pytest.approx(80.0))
    # Not told: A 40/50 = 0.8, B 20/50 = 0.4, weighted by the told mix (20/30, 10/30):
    # 2/3 × 0.8 + 1/3 × 0.4 = 0.6667 (unweighted it would be 60/100 = 60 %). D has no told one → 7 unmatched.
    assert (result.not_told.n, result.not_told.value) == (100, pytest.approx(200 / 3))
    assert result.difference.value == pytest.approx(80 - 200 / 3)
    assert (result.strata, result.told_unmatched, result.not_told_unmatched) == (2, 5, 7)
    assert result.caveat is None
    # Its interval: variance (2/3)² × 0.8 × 0.2 / 50 + (1/3)² × 0.4 × 0.6 / 50 = 0.001956; effective n =
    # 0.2222 / 0.001956 = 113.6, capped at the 100 counted → Wilson of 2/3 at n = 100.
    low, high = wilson(2 / 3, 100)
    assert (result.not_told.low, result.not_told.high) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert result.difference.low < result.difference.value < result.difference.high


def test_the_effective_n_shrinks_when_weights_are_uneven():
    # Told: 27 in A, 3 in B. Not told: 10 in A (5 back), 90 in B (45 back): the 10 in A carry 90 % of the weight.
    respondents = (people("A", True, 27, 20) + people("B", True, 3, 2)
                   + people("A", False, 10, 5) + people("B", False, 90, 45))
    result = compare(respondents)[90]
    # Rate 0.9 × 0.5 + 0.1 × 0.5 = 0.5; variance 0.81 × 0.25 / 10 + 0.01 × 0.25 / 90 = 0.0202778; effective n =
    # 0.25 / 0.0202778 = 12.33 — far fewer than the 100 counted.
    low, high = wilson(0.5, 0.25 / (0.81 * 0.25 / 10 + 0.01 * 0.25 / 90))
    assert result.not_told.value == pytest.approx(50.0)
    assert (result.not_told.low, result.not_told.high) == (pytest.approx(100 * low), pytest.approx(100 * high))


def test_a_horizon_not_yet_observable_and_small_groups_say_so():
    respondents = people("A", True, 5, 4) + people("A", False, 8, 4)   # retained_180 None for everyone
    result = compare(respondents)
    assert result[90].caveat == "small_sample" and result[90].told.n == 5
    assert result[180].caveat == "no_comparable_strata"
    assert result[180].told.value is None and result[180].difference.value is None


def test_without_a_common_stratum_nothing_is_compared():
    result = compare(people("A", True, 40, 30) + people("B", False, 40, 20))[90]
    assert result.caveat == "no_comparable_strata" and result.strata == 0
    assert (result.told_unmatched, result.not_told_unmatched) == (40, 40)


def test_a_standardised_rate_with_no_spread_uses_the_respondents_counted():
    respondents = people("A", True, 30, 30) + people("A", False, 40, 40) + people("B", True, 10, 0) + \
        people("B", False, 20, 0)
    result = compare(respondents)[90]
    # Not told: A 1.0, B 0.0 → 0.75 × 1 + 0.25 × 0 = 75 %; every stratum's variance is 0 → Wilson at n = 60.
    low, high = wilson(0.75, 60)
    assert result.not_told.value == pytest.approx(75.0) and result.not_told.low == pytest.approx(100 * low)
    assert result.not_told.high == pytest.approx(100 * high)


def test_a_rate_with_an_effective_n_of_nothing_has_no_value():
    assert rate_with_interval(0.5, 10, 0).value is None


# ---------------------------------------------------------------- retention by NPS band

def test_retention_by_nps_band():
    answers = ([(0, False)] * 3 + [(6, True)] * 2            # detractors: 2 of 5
               + [(7, True), (8, True), (8, False)]           # passives: 2 of 3
               + [(9, True)] * 4 + [(10, False)]              # promoters: 4 of 5
               + [(None, True), (11, True), (-1, False), (9, None)])  # skipped, off the scale, not yet known
    bands = by_nps_band(answers)
    assert [(b.band, b.retention.n, b.retention.value) for b in bands] == [
        ("detractor", 5, pytest.approx(40.0)), ("passive", 3, pytest.approx(200 / 3)),
        ("promoter", 5, pytest.approx(80.0))]
    assert not bands[0].retention.reliable
    assert [b.retention.value for b in by_nps_band([])] == [None, None, None]
