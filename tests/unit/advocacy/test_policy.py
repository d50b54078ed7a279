"""Who is asked for a review or a referral, the team's link, how outcomes move and the figures: worked examples."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from advocacy.policy import (
    DECLINED,
    WENT,
    Candidate,
    Figures,
    answered_between,
    chosen,
    is_promoter,
    link_origin,
    link_problem,
    may_ask,
    next_outcome,
)

NOW = datetime(2026, 12, 4, 12, 0)


def answer(customer_id=1, response_id=1, score=9, scale="nps", may_contact=True, email="ana@example.com",
           ago=timedelta(days=2), **more) -> Candidate:
    return Candidate(response_id, customer_id, email, scale, score, may_contact, NOW - ago, **more)


def test_promoters_are_nps_nine_and_ten_only():
    assert [is_promoter("nps", s) for s in (6, 7, 8, 9, 10)] == [False, False, False, True, True]
    # A satisfied CSAT (5 of 5) or an easy CES (7 of 7) is about one moment, not a promise to recommend us.
    assert not is_promoter("csat", 5) and not is_promoter("ces", 7) and not is_promoter("nps", None)


def test_the_window_is_an_hour_to_fourteen_days_before_now():
    # 12:00 on 4 Dec: answers from 12:00 on 20 Nov to 11:00 on 4 Dec, both ends included.
    assert answered_between(NOW) == (datetime(2026, 11, 20, 12, 0), datetime(2026, 12, 4, 11, 0))
    assert may_ask(answer(ago=timedelta(days=14)), NOW)
    assert not may_ask(answer(ago=timedelta(days=14, seconds=1)), NOW)  # a promoter of long ago: never emailed
    assert may_ask(answer(ago=timedelta(hours=1)), NOW)
    assert not may_ask(answer(ago=timedelta(minutes=59)), NOW)  # still on the thank-you page, or editing


@pytest.mark.parametrize("why_not", [
    {"score": 8}, {"scale": "csat", "score": 5}, {"may_contact": False}, {"email": None}, {"email": ""},
    {"unsubscribed": True}, {"asked_before": True}])
def test_each_rule_alone_keeps_a_promoter_from_being_asked(why_not):
    assert may_ask(answer(), NOW)
    assert not may_ask(answer(**why_not), NOW)


def test_one_ask_per_customer_for_their_newest_eligible_answer():
    candidates = [
        answer(customer_id=7, response_id=70, ago=timedelta(days=5)),
        answer(customer_id=7, response_id=71, ago=timedelta(days=1)),       # ana's newest: this one
        answer(customer_id=7, response_id=72, ago=timedelta(minutes=10)),   # newer, but too fresh
        answer(customer_id=3, response_id=30, score=10, ago=timedelta(days=3)),
        answer(customer_id=4, response_id=40, score=6),                     # a detractor
        answer(customer_id=5, response_id=50, may_contact=False),           # did not opt in
    ]
    assert [(c.customer_id, c.response_id) for c in chosen(candidates, NOW)] == [(3, 30), (7, 71)]
    # Two answers at the same moment: the later id decides, so the choice never depends on the reading order.
    same = [answer(customer_id=9, response_id=91), answer(customer_id=9, response_id=90)]
    assert [c.response_id for c in chosen(same, NOW)] == [91]


@pytest.mark.parametrize(("url", "problem"), [
    ("https://g.page/r/acme/review", None), ("http://acme.example/refer?src=email", None),
    ("HTTPS://Acme.example", None), ("  https://acme.example/review  ", None),
    ("", "missing"), (None, "missing"), ("   ", "missing"), ("https://acme.example/" + "a" * 2000, "too_long"),
    ("javascript:alert(1)", "scheme"), ("data:text/html,hi", "scheme"), ("ftp://acme.example", "scheme"),
    ("//acme.example/review", "scheme"), ("/review", "scheme"), ("acme.example", "scheme"),
    ("https://acme.example/a b", "scheme"), ("https://acme.example/\x00", "scheme"),
    ("https://", "host"), ("https:///path", "host"), ("https://[::1", "host")])
def test_only_a_full_http_or_https_link_may_be_the_teams_link(url, problem):
    assert link_problem(url) == problem


@pytest.mark.parametrize(("url", "origin"), [
    ("https://Reviews.Example/acme?x=1", "https://reviews.example"), ("http://acme.example:8080/r", "http://acme.example:8080"),
    ("https://bücher.example/r", "https://xn--bcher-kva.example"), ("https://[::1]:8443/x", "https://[::1]:8443"),
    ("https://user:pw@acme.example/", "https://acme.example"),
    ("https://a;b.example/", None), ("https://a'b.example/", None), ("https://acme.example:99999/", None)])
def test_the_origin_the_ask_pages_policy_allows_is_a_plain_host(url, origin):
    # The origin goes into a Content-Security-Policy header: a ";" or a quote there would write a directive.
    assert link_origin(url) == origin
    assert (link_problem(url) == "host") == (origin is None)


def test_the_first_answer_stands_except_that_going_after_declining_counts_as_going():
    assert next_outcome(None, WENT) == WENT
    assert next_outcome(None, DECLINED) == DECLINED
    assert next_outcome(DECLINED, WENT) == WENT           # changed their mind and went
    assert next_outcome(WENT, DECLINED) == WENT           # they did go: a later "no thanks" changes nothing
    assert next_outcome(WENT, WENT) == WENT and next_outcome(DECLINED, DECLINED) == DECLINED


def test_figures_count_the_silent_and_the_share_who_went():
    # 8 asked: 3 went, 1 declined, so 4 did not answer; 3 of 8 = 37.5 %.
    figures = Figures(asked=8, went=3, declined=1)
    assert (figures.no_answer, figures.rate) == (4, 37.5)
    assert Figures(0, 0, 0).rate is None and Figures(0, 0, 0).no_answer == 0
