"""The win-back incentive tier and a campaign's win-back rate, on worked examples."""
from datetime import datetime, timedelta

import pytest

from retention.incentives import (
    TIERS,
    Thresholds,
    TierShares,
    returned_within,
    thresholds_from,
    tier_for,
    win_back,
    win_back_rate,
)

DAY = timedelta(days=1)


def test_relative_thresholds_from_the_teams_values():
    values = [10.0 * i for i in range(1, 11)]  # 10, 20 … 100
    thresholds = thresholds_from(values + [None, 0.0, -5.0])  # unknown and non-positive values are left out
    # 10 customers: vip = top 10 % = the 1st (100); premium = top 30 % = the 3rd (80); standard = top 60 % = the 6th
    # (50); the lower 40 % get none.
    assert thresholds == Thresholds(standard=50.0, premium=80.0, vip=100.0)
    assert [tier_for(v, thresholds) for v in values] == ["none"] * 4 + ["standard"] * 3 + ["premium"] * 2 + ["vip"]


@pytest.mark.parametrize("value, tier", [(100.0, "vip"), (250.0, "vip"), (85.0, "premium"), (80.0, "premium"),
                                         (79.99, "standard"), (50.0, "standard"), (49.0, "none"), (0.0, "none"),
                                         (-3.0, "none"), (None, "none")])
def test_the_tier_is_the_best_threshold_reached(value, tier):
    assert tier_for(value, Thresholds(standard=50.0, premium=80.0, vip=100.0)) == tier


def test_thirty_customers_make_three_vips_not_four():
    # 10 % of 30 in floating point is 3.0000000000000004: rounded up naively it would be 4.
    values = list(range(1, 31))
    assert thresholds_from(values).vip == 28
    assert sum(tier_for(v, thresholds_from(values)) == "vip" for v in values) == 3


def test_ties_at_a_threshold_all_get_the_tier():
    thresholds = thresholds_from([5.0, 5.0, 5.0, 5.0, 1.0])
    assert [tier_for(v, thresholds) for v in (5.0, 1.0)] == ["vip", "none"]


def test_a_single_customer_is_vip_and_no_values_give_no_tiers():
    assert tier_for(42.0, thresholds_from([42.0])) == "vip"
    assert thresholds_from([None, 0.0]) == Thresholds()
    assert tier_for(1000.0, Thresholds()) == "none"


def test_the_team_may_set_its_own_shares_or_amounts():
    values = [10.0 * i for i in range(1, 11)]
    thresholds = thresholds_from(values, TierShares(vip=0.2, premium=0.5, standard=1.0))
    assert thresholds == Thresholds(standard=10.0, premium=60.0, vip=90.0)
    assert tier_for(150.0, Thresholds(standard=20.0, premium=100.0, vip=None)) == "premium"


@pytest.mark.parametrize("bad", [dict(vip=0.0), dict(vip=0.5, premium=0.3), dict(standard=1.5)])
def test_shares_that_make_no_sense_are_refused(bad):
    with pytest.raises(ValueError):
        TierShares(**bad)


@pytest.mark.parametrize("bad", [dict(standard=100.0, premium=50.0), dict(premium=90.0, vip=10.0),
                                 dict(standard=0.0)])
def test_amounts_that_make_no_sense_are_refused(bad):
    with pytest.raises(ValueError):
        Thresholds(**bad)


def test_the_tiers_in_order():
    assert TIERS == ("none", "standard", "premium", "vip")


# ---------------------------------------------------------------- win-back rate

def test_returned_within_the_window_after_the_email():
    sent = datetime(2026, 1, 1, 12)
    assert returned_within(sent, [sent + 30 * DAY], 30)                # on the deadline: back
    assert not returned_within(sent, [sent + 30 * DAY + timedelta(seconds=1)], 30)
    assert not returned_within(sent, [sent, sent - DAY], 30)           # not after the email
    assert returned_within(sent, [sent - DAY, sent + 3 * DAY], 30)


def test_a_campaigns_win_back_rate_leaves_the_undecided_out():
    now = datetime(2026, 3, 1)
    emails = [(datetime(2026, 1, 1), datetime(2026, 1, 20)),   # back after 19 days
              (datetime(2026, 1, 1), datetime(2026, 2, 15)),   # back after 45 days: too late
              (datetime(2026, 1, 1), None),                    # never back, window over
              (datetime(2026, 2, 20), None),                   # window open: pending
              (datetime(2026, 2, 20), datetime(2026, 2, 25)),  # back already
              (datetime(2026, 2, 20), datetime(2026, 3, 5))]   # "back" after now: not known, pending
    result = win_back(emails, now, days=30)
    # 6 emailed, 2 pending, 2 back → 2 / (6 − 2) = 50 %.
    assert (result.emailed, result.returned, result.pending) == (6, 2, 2)
    assert result.rate == pytest.approx(50.0)


def test_win_back_rate_of_counts():
    assert win_back_rate(4, 1) == 25.0 and win_back_rate(0, 0) is None
    assert win_back([], datetime(2026, 3, 1)).rate is None
    with pytest.raises(ValueError):
        win_back_rate(2, 3)
