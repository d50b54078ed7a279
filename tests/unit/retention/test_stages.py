"""The lifecycle stage rule on worked examples: the issue's two, and the edges around them."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention.stages import (
    STAGES,
    CustomerFacts,
    Moves,
    StageSettings,
    active_days,
    count_stages,
    stage_of,
    transitions,
    usual_gap,
)

SINCE = datetime(2025, 1, 1)
DAY = timedelta(days=1)


def every(first: datetime, step: timedelta, count: int) -> tuple[datetime, ...]:
    return tuple(first + i * step for i in range(count))


def weekly(last: datetime, count: int = 10) -> tuple[datetime, ...]:
    return every(last - (count - 1) * timedelta(weeks=1), timedelta(weeks=1), count)


# ---------------------------------------------------------------- the examples

def test_weekly_activity_that_stops_for_six_weeks_is_silent():
    last = datetime(2026, 3, 9, 10)                       # ten Mondays, the last on 9 March
    decision = stage_of(CustomerFacts(SINCE, activity_times=weekly(last)), last + timedelta(weeks=6))
    # Usual gap 7 days; threshold max(3 × 7, 14) = 21; quiet 42 days > 21.
    assert decision.stage == "silent" and decision.reason == "quiet_against_rhythm"
    assert decision.detail() == {"days_quiet": 42, "usual_gap": 7.0, "threshold_days": 21.0}


def test_monthly_activity_three_weeks_after_the_last_is_active():
    activity = tuple(datetime(2026, month, 1, 12) for month in range(1, 7))  # 1 January … 1 June
    decision = stage_of(CustomerFacts(SINCE, activity_times=activity), datetime(2026, 6, 22, 12))
    # Gaps 31, 28, 31, 30, 31 → median 31; threshold max(3 × 31, 14) = 93; quiet 21 ≤ 93.
    assert decision.stage == "active" and decision.reason == "in_rhythm"
    assert decision.detail() == {"days_quiet": 21, "usual_gap": 31.0, "threshold_days": 93.0}
    # The same customer after 94 quiet days (3 September) has gone silent.
    assert stage_of(CustomerFacts(SINCE, activity_times=activity), datetime(2026, 9, 3)).stage == "silent"


@pytest.mark.parametrize("quiet_days, stage", [(20, "active"), (21, "active"), (22, "silent")])
def test_silence_begins_after_the_threshold_not_at_it(quiet_days, stage):
    last = datetime(2026, 3, 9, 23, 59)
    # Whole calendar days count, whatever the hour: 21 days after 9 March is 30 March, at any time of day.
    now = datetime.combine(last.date() + timedelta(days=quiet_days), datetime.min.time()) + timedelta(hours=1)
    assert stage_of(CustomerFacts(SINCE, activity_times=weekly(last)), now).stage == stage


def test_a_daily_customer_is_not_silent_before_the_floor():
    last = datetime(2026, 3, 9)
    daily = every(last - 20 * DAY, DAY, 21)
    # Usual gap 1 day: 3 × 1 = 3, but the floor is 14 days.
    assert stage_of(CustomerFacts(SINCE, activity_times=daily), last + 10 * DAY).stage == "active"
    assert stage_of(CustomerFacts(SINCE, activity_times=daily), last + 15 * DAY).detail()["threshold_days"] == 14.0
    assert stage_of(CustomerFacts(SINCE, activity_times=daily), last + 15 * DAY).stage == "silent"


def test_the_rhythm_follows_the_last_gaps_only():
    # Years of weekly activity, then daily for the last week: the last six gaps are one day each.
    habit = weekly(datetime(2026, 1, 5), 50) + every(datetime(2026, 1, 6), DAY, 6)
    decision = stage_of(CustomerFacts(SINCE, activity_times=habit), datetime(2026, 1, 11) + 15 * DAY)
    assert decision.detail()["usual_gap"] == 1.0 and decision.stage == "silent"


def test_an_irregular_rhythm_takes_the_median_gap():
    days = [datetime(2026, 1, 1)]
    for gap in (2, 20, 3, 25, 4, 3):
        days.append(days[-1] + gap * DAY)                  # last activity on 28 February
    # Gaps sorted 2, 3, 3, 4, 20, 25 → median 3.5; threshold max(10.5, 14) = 14.
    quiet_15 = stage_of(CustomerFacts(SINCE, activity_times=tuple(days)), days[-1] + 15 * DAY)
    assert quiet_15.stage == "silent" and quiet_15.detail()["usual_gap"] == 3.5
    assert stage_of(CustomerFacts(SINCE, activity_times=tuple(days)), days[-1] + 14 * DAY).stage == "active"


def test_many_activities_in_one_day_are_one_active_day():
    burst = every(datetime(2026, 1, 5, 8), timedelta(hours=1), 10)   # ten logins on one Monday
    assert active_days(burst) == [date(2026, 1, 5)] and usual_gap(active_days(burst), StageSettings()) is None
    decision = stage_of(CustomerFacts(SINCE, activity_times=burst), datetime(2026, 2, 1))
    # One active day: no rhythm; quiet 27 days ≤ 60.
    assert decision.stage == "active" and decision.detail()["usual_gap"] is None


def test_unsorted_activity_is_read_the_same():
    activity = weekly(datetime(2026, 3, 9))
    now = datetime(2026, 4, 20)
    shuffled = tuple(reversed(activity))
    assert stage_of(CustomerFacts(SINCE, activity_times=shuffled), now) == \
        stage_of(CustomerFacts(SINCE, activity_times=activity), now)


# ---------------------------------------------------------------- little or no history

def test_no_activity_at_all_is_active_unless_the_team_says_otherwise():
    now = datetime(2026, 3, 1)
    facts = CustomerFacts(SINCE)
    assert (stage_of(facts, now).stage, stage_of(facts, now).reason) == ("active", "no_activity")
    strict = StageSettings(never_active_silent_days=60)
    decision = stage_of(facts, now, strict)
    # 1 January 2025 to 1 March 2026: 424 days without any activity > 60.
    assert (decision.stage, decision.reason, decision.detail()["days_quiet"]) == ("silent", "never_active", 424)
    assert stage_of(CustomerFacts(now - 40 * DAY), now, strict).stage == "active"


def test_one_or_two_activities_know_no_rhythm_and_wait_two_months():
    now = datetime(2026, 3, 1)
    for activity in ((now - 30 * DAY,), (now - 37 * DAY, now - 30 * DAY)):
        assert stage_of(CustomerFacts(SINCE, activity_times=activity), now).stage == "active"
    decision = stage_of(CustomerFacts(SINCE, activity_times=(now - 70 * DAY, now - 61 * DAY)), now)
    assert (decision.stage, decision.reason) == ("silent", "quiet_without_rhythm")
    assert decision.detail() == {"days_quiet": 61, "usual_gap": None, "threshold_days": 60.0}


def test_neither_a_start_nor_activity():
    assert stage_of(CustomerFacts(), datetime(2026, 3, 1)).stage == "active"


def test_quiet_counts_from_the_start_when_activity_came_before_it():
    # A trial's activity long before the customer signed: quiet since signing, not since the trial.
    now = datetime(2026, 3, 1)
    facts = CustomerFacts(now - 40 * DAY, activity_times=(now - 200 * DAY,))
    assert stage_of(facts, now).detail()["days_quiet"] == 40 and stage_of(facts, now).stage == "active"


# ---------------------------------------------------------------- new, lost, at risk, and their precedence

def test_new_for_the_first_thirty_days():
    now = datetime(2026, 3, 1, 12)
    decision = stage_of(CustomerFacts(now - 10 * DAY), now)
    assert (decision.stage, decision.reason, decision.detail()) == ("new", "joined_recently", {"days_since_start": 10})
    assert stage_of(CustomerFacts(now - 30 * DAY + timedelta(seconds=1)), now).stage == "new"
    assert stage_of(CustomerFacts(now - 30 * DAY), now).stage == "active"
    # Without customer_since, the first activity is the start.
    assert stage_of(CustomerFacts(activity_times=(now - 5 * DAY,)), now).stage == "new"


def test_lost_when_ended_or_cancelled_without_coming_back():
    now = datetime(2026, 3, 1)
    ended = stage_of(CustomerFacts(SINCE, ended_at=now - 3 * DAY, last_unhappy_at=now - DAY), now)
    assert (ended.stage, ended.reason, ended.detail()) == ("lost", "ended", {"days_since_end": 3})
    assert stage_of(CustomerFacts(SINCE, ended_at=now), now).stage == "lost"             # ends now: lost now
    cancelled = CustomerFacts(SINCE, activity_times=(now - 20 * DAY,), cancelled_at=now - 10 * DAY)
    assert (stage_of(cancelled, now).stage, stage_of(cancelled, now).reason) == ("lost", "cancelled")
    came_back = CustomerFacts(SINCE, activity_times=(now - 5 * DAY,), cancelled_at=now - 10 * DAY)
    assert stage_of(came_back, now).stage == "active"


def test_unhappy_recently_is_at_risk_even_when_active_or_silent_or_new():
    now = datetime(2026, 4, 20)
    silent_weekly = weekly(datetime(2026, 3, 9))
    decision = stage_of(CustomerFacts(SINCE, activity_times=silent_weekly, last_unhappy_at=now - 10 * DAY), now)
    assert (decision.stage, decision.reason, decision.detail()) == ("at_risk", "unhappy_recently",
                                                                    {"days_since_unhappy": 10})
    assert stage_of(CustomerFacts(now - 5 * DAY, last_unhappy_at=now - DAY), now).stage == "at_risk"
    assert stage_of(CustomerFacts(SINCE, last_unhappy_at=now - 90 * DAY), now).stage == "at_risk"
    assert stage_of(CustomerFacts(SINCE, last_unhappy_at=now - 91 * DAY), now).stage == "active"


def test_unhappy_long_ago_matters_only_together_with_silence():
    now = datetime(2026, 4, 20)
    silent_weekly = weekly(datetime(2026, 3, 9))
    active_weekly = weekly(now - 2 * DAY)
    long_ago = now - 200 * DAY
    assert stage_of(CustomerFacts(SINCE, activity_times=active_weekly, last_unhappy_at=long_ago), now).stage == \
        "active"
    decision = stage_of(CustomerFacts(SINCE, activity_times=silent_weekly, last_unhappy_at=long_ago), now)
    assert (decision.stage, decision.reason) == ("at_risk", "silent_and_unhappy")
    assert decision.detail() == {"days_quiet": 42, "usual_gap": 7.0, "threshold_days": 21.0, "days_since_unhappy": 200}
    very_long_ago = now - 400 * DAY
    assert stage_of(CustomerFacts(SINCE, activity_times=silent_weekly, last_unhappy_at=very_long_ago), now).stage == \
        "silent"


def test_a_happy_answer_after_the_unhappy_one_clears_it():
    now = datetime(2026, 4, 20)
    facts = CustomerFacts(SINCE, last_unhappy_at=now - 20 * DAY, last_happy_at=now - 5 * DAY)
    assert stage_of(facts, now).stage == "active"
    same_moment = CustomerFacts(SINCE, last_unhappy_at=now - 20 * DAY, last_happy_at=now - 20 * DAY)
    assert stage_of(same_moment, now).stage == "at_risk"
    earlier_happy = CustomerFacts(SINCE, last_unhappy_at=now - 20 * DAY, last_happy_at=now - 30 * DAY)
    assert stage_of(earlier_happy, now).stage == "at_risk"


# ---------------------------------------------------------------- the future is not known yet

def test_future_dates_are_ignored():
    now = datetime(2026, 4, 20)
    future = now + 3 * DAY
    decision = stage_of(CustomerFacts(now + 10 * DAY, activity_times=(future,)), now)
    assert (decision.stage, decision.reason, decision.detail()) == ("new", "starts_later", {"days_until_start": 10})
    assert stage_of(CustomerFacts(SINCE, ended_at=future), now).stage == "active"        # ends later: not lost yet
    assert stage_of(CustomerFacts(SINCE, cancelled_at=future), now).stage == "active"
    assert stage_of(CustomerFacts(SINCE, last_unhappy_at=future), now).stage == "active"
    # Activity after now does not break a silence: weekly until 9 March, "activity" next week.
    silent_weekly = weekly(datetime(2026, 3, 9)) + (now + 7 * DAY,)
    assert stage_of(CustomerFacts(SINCE, activity_times=silent_weekly), now).stage == "silent"


def test_a_happy_answer_in_the_future_does_not_clear_today():
    now = datetime(2026, 4, 20)
    facts = CustomerFacts(SINCE, last_unhappy_at=now - 2 * DAY, last_happy_at=now + DAY)
    assert stage_of(facts, now).stage == "at_risk"


# ---------------------------------------------------------------- settings, counts, moves

@pytest.mark.parametrize("bad", [dict(new_days=-1), dict(silent_factor=0), dict(rhythm_gaps=0),
                                 dict(min_active_days=1), dict(rhythm_gaps=3, min_active_days=5),
                                 dict(never_active_silent_days=-5), dict(unhappy_days=-1)])
def test_settings_that_make_no_sense_are_refused(bad):
    with pytest.raises(ValueError):
        StageSettings(**bad)


def test_a_stricter_factor_makes_the_same_customer_silent_sooner():
    last = datetime(2026, 3, 9)
    facts = CustomerFacts(SINCE, activity_times=weekly(last))
    now = last + 16 * DAY
    assert stage_of(facts, now).stage == "active"                                          # 16 ≤ 21
    assert stage_of(facts, now, StageSettings(silent_factor=2.0)).stage == "silent"      # 16 > max(14, 14)


def test_stage_counts_list_every_stage():
    assert count_stages(["silent", "new", "silent"]) == {"new": 1, "active": 0, "silent": 2, "at_risk": 0, "lost": 0}


def test_moves_between_stages_per_month():
    history = [(datetime(2026, 1, 3), None, "new"), (datetime(2026, 1, 20), None, "new"),
               (datetime(2026, 1, 31, 23), "active", "silent"), (datetime(2026, 2, 1), "active", "silent"),
               (datetime(2026, 2, 5), "silent", "at_risk"), (datetime(2026, 2, 9), "active", "silent"),
               (datetime(2026, 2, 10), "lost", "lost")]  # no move
    assert transitions(history) == [
        Moves(date(2026, 1, 1), None, "new", 2), Moves(date(2026, 1, 1), "active", "silent", 1),
        Moves(date(2026, 2, 1), "active", "silent", 2), Moves(date(2026, 2, 1), "silent", "at_risk", 1)]
    assert transitions([]) == []


# ---------------------------------------------------------------- any input gets a stage

MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1))


@settings(max_examples=300, deadline=None)
@given(st.builds(CustomerFacts, st.none() | MOMENTS, st.none() | MOMENTS, st.lists(MOMENTS, max_size=15),
                 st.none() | MOMENTS, st.none() | MOMENTS, st.none() | MOMENTS), MOMENTS,
       st.builds(StageSettings, new_days=st.integers(0, 400), silent_factor=st.floats(0.1, 10),
                 silent_floor_days=st.integers(0, 100), no_rhythm_silent_days=st.integers(0, 400),
                 never_active_silent_days=st.none() | st.integers(0, 400)))
def test_every_customer_gets_one_stage_and_a_reason(facts, now, stage_settings):
    decision = stage_of(facts, now, stage_settings)
    assert decision.stage in STAGES and decision.reason
    assert all(isinstance(name, str) and (value is None or value >= 0) for name, value in decision.numbers)
    if facts.ended_at is not None and facts.ended_at <= now:
        assert decision.stage == "lost"
    if decision.stage == "lost":
        assert any(end is not None and end <= now for end in (facts.ended_at, facts.cancelled_at))
