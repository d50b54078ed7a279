"""One customer's events merged newest first, down to where a stream read short stops."""
from __future__ import annotations

from datetime import datetime

from feedback_app.timeline import Event, Stream, merge


def day(n: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, n, hour)


def ev(kind: str, n: int, row: int, hour: int = 12) -> Event:
    return Event(day(n, hour), kind, row, item=f"{kind}{row}")


def names(timeline) -> list[str]:
    return [event.item for event in timeline.events]


def test_complete_streams_interleave_newest_first():
    invitations = Stream("invitation", [ev("invitation", 9, 2), ev("invitation", 1, 1)])
    answers = Stream("answer", [ev("answer", 10, 7), ev("answer", 2, 5)])
    timeline = merge([answers, invitations])
    # 10th answer, 9th invitation, 2nd answer, 1st invitation
    assert names(timeline) == ["answer7", "invitation2", "answer5", "invitation1"]
    assert timeline.since is None
    assert timeline.shown == {"answer": 2, "invitation": 2}
    assert timeline.left_out({"answer": 2, "invitation": 2}) == {}


def test_a_stream_read_short_hides_every_older_event():
    # Answers were read down to the 5th (more exist); invitations are complete back to the 1st. An invitation
    # of the 3rd would sit among answers that are not shown, so it is left out with them.
    answers = Stream("answer", [ev("answer", 8, 30), ev("answer", 5, 29)], complete=False)
    invitations = Stream("invitation", [ev("invitation", 7, 3), ev("invitation", 3, 2), ev("invitation", 1, 1)])
    timeline = merge([answers, invitations])
    assert names(timeline) == ["answer30", "invitation3", "answer29"]
    assert timeline.since == day(5)
    assert timeline.shown == {"answer": 2, "invitation": 1}
    # 40 answers in all: 38 not shown; 3 invitations: 2 not shown.
    assert timeline.left_out({"answer": 40, "invitation": 3}) == {"answer": 38, "invitation": 2}


def test_the_latest_cut_of_several_wins():
    # News read short at the 6th, contacts at the 4th: the horizon is the 6th, the later of the two.
    news = Stream("news", [ev("news", 9, 4), ev("news", 6, 3)], complete=False)
    contacts = Stream("contact", [ev("contact", 8, 2), ev("contact", 4, 1)], complete=False)
    timeline = merge([contacts, news])
    assert names(timeline) == ["news4", "contact2", "news3"]
    assert timeline.since == day(6)
    assert timeline.shown == {"contact": 1, "news": 2}


def test_an_event_at_the_horizon_itself_is_kept():
    answers = Stream("answer", [ev("answer", 5, 9)], complete=False)
    invitations = Stream("invitation", [ev("invitation", 5, 4), ev("invitation", 4, 3)])
    assert names(merge([answers, invitations])) == ["answer9", "invitation4"]


def test_ties_go_to_the_stream_named_first_then_the_later_row():
    contacts = Stream("contact", [ev("contact", 3, 1)])
    answers = Stream("answer", [ev("answer", 3, 7), ev("answer", 3, 6)])
    assert names(merge([contacts, answers])) == ["contact1", "answer7", "answer6"]
    assert names(merge([answers, contacts])) == ["answer7", "answer6", "contact1"]


def test_nothing_at_all():
    timeline = merge([Stream("answer", []), Stream("invitation", [], complete=True)])
    assert timeline.events == [] and timeline.since is None
    assert timeline.shown == {"answer": 0, "invitation": 0}
    assert timeline.left_out({"answer": 0, "invitation": 0}) == {}
