"""Back-off (exponential, capped, jittered from the caller's generator) and the pause after a day of failures."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from webhooks import schedule


class Fixed(random.Random):
    def __init__(self, value: float):
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_delay_doubles_from_ten_seconds_and_stops_at_an_hour():
    # No jitter drawn (0.0): half the ceiling: 10 s, 20 s, 40 s … → 5, 10, 20 s; the ceiling caps at 3600 s.
    lowest = [schedule.retry_delay(n, Fixed(0.0)).total_seconds() for n in (1, 2, 3, 4)]
    assert lowest == [5, 10, 20, 40]
    highest = [schedule.retry_delay(n, Fixed(0.999999)).total_seconds() for n in (1, 2, 3)]
    assert [round(s, 3) for s in highest] == [10, 20, 40]
    # 10 s × 2^9 = 5120 s > 3600 s: capped, between 1800 s and 3600 s, and still at attempt 100.
    assert schedule.retry_delay(10, Fixed(0.0)) == timedelta(seconds=1800)
    assert schedule.retry_delay(100, Fixed(0.5)) == timedelta(seconds=2700)


def test_a_seed_gives_the_same_schedule_and_jitter_spreads_it():
    first = [schedule.retry_delay(n, random.Random(7)) for n in range(1, 12)]
    again = [schedule.retry_delay(n, random.Random(7)) for n in range(1, 12)]
    assert first == again
    spread = {schedule.retry_delay(3, random.Random(seed)) for seed in range(20)}
    assert len(spread) > 10 and all(timedelta(seconds=20) <= d <= timedelta(seconds=40) for d in spread)


def test_a_day_of_failures_pauses():
    start = datetime(2026, 11, 23, 12)
    assert not schedule.should_pause(None, start)
    assert not schedule.should_pause(start, start + timedelta(hours=23, minutes=59))
    assert schedule.should_pause(start, start + timedelta(days=1))
