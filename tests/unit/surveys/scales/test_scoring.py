import math
from datetime import datetime

import pytest

from surveys.scales import scoring
from surveys.scales.kinds import NPS


def test_nps_worked_example_from_the_definition():
    result = scoring.nps([10, 10, 9, 9, 9, 8, 7, 4, 2, 1])
    assert result.value == pytest.approx(20)
    assert result.extra == {"promoters": 5, "passives": 2, "detractors": 3}
    # 1.96·100·sqrt((0.5 + 0.3 − 0.2²)/10)
    assert result.margin_of_error == pytest.approx(scoring.Z95 * 100 * math.sqrt(0.76 / 10))
    assert result.n == 10 and not result.reliable


def test_nps_counts_skips_apart():
    result = scoring.nps([10, None, 0, None])
    assert (result.n, result.skipped, result.value) == (2, 2, 0)


@pytest.mark.parametrize("scores, expected", [
    ([10] * 30, 100), ([0] * 30, -100), ([7, 8] * 15, 0), ([9, 6], 0), ([9, 9, 9, 5], 50),
])
def test_nps_values(scores, expected):
    assert scoring.nps(scores).value == pytest.approx(expected)


@pytest.mark.parametrize("score, bucket", [(0, "detractor"), (6, "detractor"), (7, "passive"),
                                           (8, "passive"), (9, "promoter"), (10, "promoter")])
def test_nps_buckets(score, bucket):
    assert scoring.nps_bucket(score) == bucket


def test_all_promoters_has_zero_margin():
    assert scoring.nps([10] * 40).margin_of_error == pytest.approx(0)


def test_csat_share_of_four_and_five_with_wilson_interval():
    result = scoring.csat([5, 5, 4, 4, 4, 4, 4, 4, 2, 1])
    assert result.value == pytest.approx(80)
    # Wilson 95% interval for 8/10, from the closed form: 49.0% to 94.3%.
    assert result.low == pytest.approx(49.02, abs=0.01)
    assert result.high == pytest.approx(94.33, abs=0.01)


def test_csat_wilson_stays_inside_zero_to_hundred():
    result = scoring.csat([5, 5, 5])
    assert result.value == 100 and result.high <= 100 and result.low > 0


def test_ces_mean_with_t_interval_and_agreement():
    result = scoring.ces([5, 6, 7, 4, 5])
    assert result.value == pytest.approx(5.4)
    sd = math.sqrt(sum((x - 5.4) ** 2 for x in [5, 6, 7, 4, 5]) / 4)
    assert result.margin_of_error == pytest.approx(2.776 * sd / math.sqrt(5))
    assert result.extra["agree_percent"] == pytest.approx(80)


def test_ces_single_answer_has_no_interval():
    result = scoring.ces([6])
    assert result.value == 6 and result.margin_of_error is None


def test_t_quantile_is_continuous_past_the_table():
    assert scoring.t95(30) == pytest.approx(2.042)
    assert scoring.t95(31) == pytest.approx(2.040, abs=0.001)
    assert scoring.t95(120) == pytest.approx(1.980, abs=0.001)
    assert scoring.t95(10_000) == pytest.approx(1.960, abs=0.001)


def test_empty_scores_have_no_value():
    for kind in ("nps", "csat", "ces"):
        result = scoring.score(kind, [])
        assert result.value is None and result.margin_of_error is None and result.n == 0


def test_change_is_real_only_beyond_combined_standard_error():
    before = scoring.Score("nps", 100, value=10, standard_error=5)
    assert not scoring.change_is_real(before, scoring.Score("nps", 100, value=23, standard_error=5))
    assert scoring.change_is_real(before, scoring.Score("nps", 100, value=24, standard_error=5))


def test_distribution_lists_every_scale_point():
    assert scoring.distribution(NPS, [10, 10, 0, None]) == [(0, 1)] + [(p, 0) for p in range(1, 10)] + [(10, 2)]


def test_weekly_trend_groups_by_monday():
    answers = [(datetime(2026, 11, 2, 9), 10), (datetime(2026, 11, 8, 23), 0), (datetime(2026, 11, 9, 1), 9)]
    trend = scoring.weekly_trend("nps", answers)
    assert [(week.isoformat(), s.n, s.value) for week, s in trend] == [("2026-11-02", 2, 0), ("2026-11-09", 1, 100)]


def test_intervals_are_clipped_to_the_scale_but_the_margin_is_the_formulas():
    result = scoring.nps([9, 7])
    assert result.value == 50 and result.high == 100 and result.low < 50
    assert result.margin_of_error == pytest.approx(scoring.Z95 * 100 * math.sqrt((0.5 - 0.25) / 2))
    ces = scoring.ces([7, 7, 6])
    assert ces.high == 7 and ces.margin_of_error > 7 - ces.value
