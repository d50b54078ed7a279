"""The sign-in throttle (feedback_app/accounts/throttle.py), by worked examples."""
from datetime import datetime, timedelta

import pytest

from feedback_app.accounts.throttle import NO_WAIT, LoginPolicy, wait_before_next_try, whole_minutes

NOW = datetime(2026, 12, 3, 12, 0, 0)
POLICY = LoginPolicy(window=timedelta(minutes=15), per_account=5, per_address=20)


def ago(*minutes):
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_four_failures_leave_the_fifth_attempt_free():
    assert wait_before_next_try(ago(1, 2, 3, 4), [], NOW, POLICY) == NO_WAIT


def test_five_failures_make_the_next_attempt_wait_until_the_oldest_leaves_the_window():
    # Failures 1, 2, 3, 4 and 10 minutes ago: the one 10 minutes ago leaves the window in 5 minutes,
    # and then only four remain.
    assert wait_before_next_try(ago(1, 2, 3, 4, 10), [], NOW, POLICY) == timedelta(minutes=5)


def test_the_window_slides_so_the_wait_ends_by_itself():
    failures = ago(1, 2, 3, 4, 10)
    assert wait_before_next_try(failures, [], NOW + timedelta(minutes=4, seconds=59), POLICY) == timedelta(seconds=1)
    assert wait_before_next_try(failures, [], NOW + timedelta(minutes=5), POLICY) == NO_WAIT


def test_failures_older_than_the_window_do_not_count():
    assert wait_before_next_try(ago(1, 2, 3, 15, 16, 40), [], NOW, POLICY) == NO_WAIT


def test_more_failures_than_the_limit_wait_for_the_limit_th_newest():
    # Seven failures (two arrived concurrently past the limit): the 5th newest, 6 minutes ago, decides.
    assert wait_before_next_try(ago(14, 1, 6, 2, 13, 3, 4), [], NOW, POLICY) == timedelta(minutes=9)


def test_the_address_limit_is_its_own_count():
    # One failure every half minute from one address, whatever accounts they were for.
    every_half_minute = ago(*[n / 2 for n in range(20)])  # 0, 0.5, … 9.5 minutes ago
    assert wait_before_next_try([], every_half_minute[:19], NOW, POLICY) == NO_WAIT
    assert wait_before_next_try([], every_half_minute, NOW, POLICY) == timedelta(minutes=5, seconds=30)


def test_the_longer_of_the_two_waits_applies():
    account, address = ago(10, 10, 10, 10, 10), ago(*[1] * 20)
    assert wait_before_next_try(account, address, NOW, POLICY) == timedelta(minutes=14)


def test_a_failure_stamped_later_than_now_by_another_server_still_counts():
    assert wait_before_next_try(ago(-1, 1, 2, 3, 4), [], NOW, POLICY) == timedelta(minutes=11)


@pytest.mark.parametrize("wait, minutes", [(timedelta(seconds=1), 1), (timedelta(seconds=60), 1),
                                           (timedelta(seconds=61), 2), (timedelta(minutes=14, seconds=59), 15)])
def test_the_wait_is_shown_in_whole_minutes_rounded_up(wait, minutes):
    assert whole_minutes(wait) == minutes


def test_the_throttle_is_a_pure_module():
    from tests.test_architecture import GRAPH, PURE, ROOT, pure_violations
    assert "feedback_app.accounts.throttle" in PURE
    assert not pure_violations(GRAPH, "feedback_app.accounts.throttle")
    assert "utcnow" not in (ROOT / "feedback_app" / "accounts" / "throttle.py").read_text()
