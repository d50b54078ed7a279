"""The triggered surveys' throttle, by worked examples: a relationship survey asks once and not within the
cool-down across relationship surveys; a transactional one asks after each trigger, not within its own cool-down."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from surveys.asking.throttle import (
    RELATIONSHIP,
    TRANSACTIONAL,
    cooldown_of,
    normalised_touchpoint,
    refusal,
)

NOW = datetime(2026, 12, 4, 12)
WEEK = timedelta(days=7)


def test_a_second_csat_within_seven_days_waits_until_the_seventh_day():
    last = NOW - timedelta(days=2)
    refused = refusal(TRANSACTIONAL, invited_to_this=True, last_alike=last, cooldown=WEEK, now=NOW)
    assert (refused.status, refused.retry_at) == (429, datetime(2026, 12, 9, 12))  # 2 days ago + 7
    assert "2026-12-02 12:00 UTC" in refused.message and "7 days" in refused.message


def test_a_transactional_survey_asks_again_once_the_cool_down_is_over():
    # invited to this very survey before: a transactional survey asks after each trigger
    assert refusal(TRANSACTIONAL, True, NOW - WEEK, WEEK, NOW) is None  # exactly 7 days: allowed
    assert refusal(TRANSACTIONAL, True, NOW - WEEK + timedelta(seconds=1), WEEK, NOW).status == 429


def test_a_relationship_survey_asks_each_customer_once_whatever_the_dates():
    refused = refusal(RELATIONSHIP, invited_to_this=True, last_alike=NOW - timedelta(days=400),
                      cooldown=timedelta(days=30), now=NOW)
    assert (refused.status, refused.retry_at) == (409, None)


def test_a_relationship_survey_waits_for_the_cool_down_across_relationship_surveys():
    refused = refusal(RELATIONSHIP, False, NOW - timedelta(days=10), timedelta(days=30), NOW)
    assert (refused.status, refused.retry_at) == (429, NOW + timedelta(days=20))
    assert refusal(RELATIONSHIP, False, None, timedelta(days=30), NOW) is None


@pytest.mark.parametrize("mode, own, expected", [(TRANSACTIONAL, None, 7), (TRANSACTIONAL, 3, 3),
                                                  (RELATIONSHIP, 3, 30), (RELATIONSHIP, None, 30)])
def test_the_cool_down_is_the_surveys_own_only_when_transactional(mode, own, expected):
    assert cooldown_of(mode, own, relationship_days=30) == timedelta(days=expected)


@pytest.mark.parametrize("name, touchpoint", [("First value", "first_value"), ("  post-purchase ", "post_purchase"),
                                              ("Onboarding", "onboarding"), ("تجديد الاشتراك", "تجديد_الاشتراك")])
def test_touchpoints_are_normalised(name, touchpoint):
    assert normalised_touchpoint(name) == touchpoint


@pytest.mark.parametrize("name", ["", "  --  ", "x" * 41])
def test_an_empty_or_long_touchpoint_is_refused_with_the_usual_ones_named(name):
    with pytest.raises(ValueError, match="first_impression, onboarding"):
        normalised_touchpoint(name)
