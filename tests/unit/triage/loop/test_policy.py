"""Who hears back about a fix, and who needs a person to reach out."""
from datetime import datetime, timedelta

import pytest

from triage.loop.policy import (
    Answer,
    Due,
    Respondent,
    awaits_follow_up,
    can_move,
    due,
    is_unhappy,
    loop_email_customer,
    loop_email_key,
    loop_recipients,
    needs_follow_up,
)

NOW = datetime(2026, 11, 23, 12, 0)


def person(customer_id, may_contact=True, unsubscribed=False, email="x@example.com", locale="en"):
    return Respondent(customer_id, email, may_contact, unsubscribed, locale)


def test_only_opted_in_subscribed_reachable_people_are_told_each_once():
    chosen = loop_recipients([person(1), person(2, may_contact=False), person(3, unsubscribed=True),
                              person(4, email=None), person(None), person(1, locale="ar"), person(5)])
    assert [p.customer_id for p in chosen] == [1, 5]


def test_a_customer_who_opted_in_on_any_of_their_answers_is_told():
    chosen = loop_recipients([person(7, may_contact=False), person(7, may_contact=True, locale="fa")])
    assert [(p.customer_id, p.locale) for p in chosen] == [(7, "fa")]


def test_the_email_key_is_one_per_event_fix_and_customer():
    assert loop_email_key("fix-shipped", 3, 9) == "fix-shipped:3:9" != loop_email_key("fix-planned", 3, 9)


@pytest.mark.parametrize("key, customer", [
    ("fix-shipped:3:9", 9), ("fix-planned:12:4471", 4471), ("fix-beta-ready:5:31", 31),
    ("survey-invitation.7", None), ("follow-up-digest:2026-11-23:1", None), ("fix-shipped:3:", None),
    ("fix-shipped:3:x9", None)])
def test_a_loop_email_names_its_customer_in_its_key(key, customer):
    assert loop_email_customer(key) == customer


@pytest.mark.parametrize("current, new, allowed", [
    ("open", "planned", True), ("planned", "shipped", True), ("shipped", "in_progress", True),
    ("shipped", "open", False), ("wont_do", "shipped", False), ("open", "open", False), ("open", "nonsense", False),
])
def test_status_transitions(current, new, allowed):
    assert can_move(current, new) is allowed


@pytest.mark.parametrize("kind, score, unhappy", [
    ("nps", 6, True), ("nps", 7, False), ("csat", 2, True), ("csat", 3, False), ("ces", 3, True),
    ("ces", 4, False), ("nps", None, False), (None, 1, False),
])
def test_unhappy_answers(kind, score, unhappy):
    assert is_unhappy(kind, score) is unhappy


def answer(**changes):
    base = dict(response_id=1, kind="nps", score=3, has_comment=True, may_contact=True,
                answered_at=NOW - timedelta(hours=49), contacted_at=None)
    return Answer(**{**base, **changes})


@pytest.mark.parametrize("changes, due", [
    ({}, True), ({"answered_at": NOW - timedelta(hours=47)}, False), ({"score": 9}, False),
    ({"has_comment": False}, False), ({"may_contact": False}, False), ({"contacted_at": NOW}, False),
])
def test_follow_up_is_due_for_unhappy_opted_in_commenters_not_contacted_within_the_window(changes, due):
    assert needs_follow_up(answer(**changes), NOW, timedelta(hours=48)) is due


@pytest.mark.parametrize("changes, listed", [
    ({}, True), ({"answered_at": NOW}, True), ({"score": 9}, False), ({"has_comment": False}, False),
    ({"may_contact": False}, False), ({"contacted_at": NOW}, False),
])
def test_an_unhappy_respondent_is_listed_from_the_moment_of_the_answer_until_contacted(changes, listed):
    assert awaits_follow_up(answer(**changes)) is listed


WITHIN = timedelta(hours=48)


@pytest.mark.parametrize("answered_hours_ago, expected", [
    (0, (False, 2, 0)),                 # just answered: due in 2 days
    (20, (False, 1, 4)),                # due in 1 day 4 h
    (47.5, (False, 0, 0)),              # due in less than an hour
    (48, (True, 0, 0)),                 # due now: overdue (as the digest judges it)
    (51.9, (True, 0, 3)),               # overdue by 3 h (whole hours, rounded down)
    (48 + 24 * 9 + 5, (True, 9, 5)),    # overdue by 9 days 5 h
])
def test_when_a_follow_up_falls_due(answered_hours_ago, expected):
    answered_at = NOW - timedelta(hours=answered_hours_ago)
    when = due(answered_at, NOW, WITHIN)
    assert when == Due(answered_at + WITHIN, *expected)
    assert when.overdue is needs_follow_up(answer(answered_at=answered_at), NOW, WITHIN)


def test_the_list_in_answer_order_is_in_due_order_the_overdue_first():
    answered = [NOW - timedelta(hours=h) for h in (90, 60, 48, 30, 1)]
    dues = [due(at, NOW, WITHIN) for at in answered]
    assert [d.at for d in dues] == sorted(d.at for d in dues)
    assert [d.overdue for d in dues] == [True, True, True, False, False]


def test_praise_never_awaits_a_follow_up_whatever_its_score():
    def case(type_key, score=1):
        return Answer(1, "nps", score, True, True, NOW, None, type_key)
    assert awaits_follow_up(case("functionality")) and awaits_follow_up(case(None))  # not classified yet: by score
    assert not awaits_follow_up(case("praise")) and not awaits_follow_up(case("praise", score=0))
    assert awaits_follow_up(case("onboarding"))  # a team's own type is a problem
