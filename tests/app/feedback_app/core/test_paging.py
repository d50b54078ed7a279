"""The outbox, the customers and the follow-ups, a page at a time by keyset (issue 10): following the links
forwards and back shows every row once and in order, a cursor the app did not write is a 404, an empty page
says so, and the counts shown are right. Small page sizes here; the pages' statement counts are in
test_query_counts.py."""
from __future__ import annotations

import html
import re
from datetime import timedelta, timezone

import pytest
from sqlalchemy import insert, select

from feedback_app.accounts.services import create_user
from feedback_app.core import paging
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Response
from surveys.scales.answers import Answer
from tests.support.factories import NOW, add_customers, sent_survey
from triage.loop import follow_up
from triage.verbatims import classifying

PASSWORD = "long-enough-password"


@pytest.fixture
def admin(app, client):
    create_user("admin@example.com", PASSWORD, "admin")
    db.session.commit()
    assert client.post("/login", data={"email": "admin@example.com", "password": PASSWORD}).status_code == 302
    return client


def pager_link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else None


def walk(client, url: str, rel: str, rows_of) -> tuple[list[list], str]:
    """Every page from `url` on, following its `rel` link: the rows each shows, and the last page's address."""
    pages = []
    while True:
        reply = client.get(url)
        assert reply.status_code == 200, url
        page = reply.get_data(as_text=True)
        pages.append(rows_of(page))
        following = pager_link(page, rel)
        if following is None:
            return pages, url
        url = following


def forwards_and_back(client, first: str, rows_of) -> list:
    """The rows of every page, read forwards to the end and back to the start: the same rows both ways."""
    forwards, last = walk(client, first, "next", rows_of)
    backwards, _ = walk(client, last, "prev", rows_of)
    assert backwards[::-1] == forwards
    assert all(forwards[:-1]), "an empty page before the last"
    return [row for page in forwards for row in page]


def foreign_and_forged(list_name: str) -> list[str]:
    """Cursors no page of `list_name` wrote: garbled, forged, or another list's."""
    other = "customers" if list_name == "outbox" else "outbox"
    return ["nonsense", "9" * 5000, "²", paging.row_token(other, 1), paging.row_token(list_name, 2**31),
            paging.row_token(list_name, 0), paging._encode((list_name, "١")), paging._encode((list_name, "1", "2")),
            paging.position_token("follow-ups", moment=NOW, row=1), paging.position_token("1", moment=NOW, row=1)]


# ---------------------------------------------------------------- the outbox

def add_emails(*statuses: str) -> list[int]:
    """One email per status, in this order (ids ascending)."""
    rows = [{"dedupe_key": f"test:{n}", "template": "test", "recipient": f"r{n}@example.com", "locale": "en",
             "subject": f"Subject {n}", "body_text": "", "body_html": "", "headers": {}, "status": status,
             "attempts": 0, "next_attempt_at": NOW, "created_at": NOW} for n, status in enumerate(statuses)]
    ids = db.session.scalars(insert(OutboxEmail).returning(OutboxEmail.id, sort_by_parameter_order=True), rows).all()
    db.session.commit()
    return list(ids)


def emails_shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/admin/outbox/(\d+)">', page)]


@pytest.mark.parametrize("status", [None, "failed"])
def test_the_outbox_pages_newest_first_every_email_once(app, admin, monkeypatch, status):
    monkeypatch.setattr("feedback_app.admin.PER_PAGE", 3)
    ids = add_emails(*["sent", "failed", "pending", "failed", "sent", "failed", "failed", "sent", "failed", "failed",
                       "sent"])
    expected = [i for i, s in zip(ids, ["sent", "failed", "pending", "failed", "sent", "failed", "failed", "sent",
                                        "failed", "failed", "sent"]) if status in (None, s)][::-1]
    first = f"/admin/outbox?status={status}" if status else "/admin/outbox"
    assert forwards_and_back(admin, first, emails_shown) == expected
    assert len(expected) > 3  # more than one page


def test_the_outbox_counts_each_status_up_to_a_cap(app, admin, monkeypatch):
    monkeypatch.setattr("feedback_app.admin.COUNT_UP_TO", 2)
    add_emails("sent", "sent", "sent", "failed", "failed", "pending")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "sent (more than 2)</a>" in page  # three
    assert "failed (2)</a>" in page and "pending (1)</a>" in page and "sending (0)</a>" in page


def test_an_empty_outbox_says_so(app, admin):
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "No emails here." in page and 'rel="next"' not in page and "pending (0)" in page
    add_emails("sent")
    page = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "No emails here." in page and "Back to the newest" not in page
    (only,) = emails_shown(admin.get("/admin/outbox").get_data(as_text=True))
    past_the_end = admin.get(f"/admin/outbox?after={paging.row_token('outbox', only)}").get_data(as_text=True)
    assert "No emails here." in past_the_end and 'href="/admin/outbox">Back to the newest' in past_the_end


def test_a_stale_page_number_shows_the_newest_emails(app, admin):
    ids = add_emails("sent", "failed")
    for page in ("2", "99", "nonsense"):
        assert emails_shown(admin.get(f"/admin/outbox?page={page}").get_data(as_text=True)) == ids[::-1]


# ---------------------------------------------------------------- the customers

def customers_shown(page: str) -> list[str]:
    return re.findall(r'<tr><td><a href="/customers/\d+"><bdi>([^<]+@example\.com)</bdi></a></td>', page)


def test_the_customers_page_in_the_order_they_were_added_every_customer_once(app, admin, monkeypatch):
    monkeypatch.setattr("surveys.people.views.CUSTOMERS_PER_PAGE", 3)
    emails = [f"c{n}@example.com" for n in (5, 3, 9, 1, 7, 2, 8, 4)]  # ids in this order, not the emails'
    add_customers(*[(email, None, "en") for email in emails])
    assert forwards_and_back(admin, "/customers", customers_shown) == emails
    assert customers_shown(admin.get("/customers?page=3").get_data(as_text=True)) == emails[:3]  # a stale page


def test_an_empty_customer_list_says_so(app, admin):
    page = admin.get("/customers").get_data(as_text=True)
    assert "No customers yet. Import a CSV to start." in page and 'rel="next"' not in page
    (only,) = add_customers(("only@example.com", None, "en"))
    past_the_end = admin.get(f"/customers?after={paging.row_token('customers', only.id)}").get_data(as_text=True)
    assert "No customers here." in past_the_end and "No customers yet" not in past_the_end
    assert 'href="/customers">Back to the first page' in past_the_end


@pytest.mark.parametrize("bound", ["after", "before"])
def test_a_cursor_the_customer_list_did_not_write_is_not_found(app, admin, bound):
    add_customers(("only@example.com", None, "en"))
    for cursor in foreign_and_forged("customers"):
        assert admin.get("/customers", query_string={bound: cursor}).status_code == 404, cursor


@pytest.mark.parametrize("bound", ["after", "before"])
def test_a_cursor_the_outbox_did_not_write_is_not_found(app, admin, bound):
    add_emails("sent")
    for cursor in foreign_and_forged("outbox"):
        assert admin.get("/admin/outbox", query_string={bound: cursor, "status": "sent"}).status_code == 404, cursor


# ---------------------------------------------------------------- the follow-ups

# (score, comment, may contact, hours ago); an NPS survey: 0–6 is unhappy. The window is 48 hours.
SWEPT = {"a": (2, "slow", True, 100), "b": (9, "great", True, 90), "c": (3, "bad", True, 80),
         "d": (1, "awful", False, 79), "e": (4, "meh", True, 70), "f": (0, "broken", True, 70),
         "g": (5, "", True, 60), "h": (2, "too slow", True, 10), "i": (6, "hmm", True, 65),
         "l": (3, "edited", True, 50), "m": (2, "x", True, 55), "n": (2, "y", True, 52), "o": (3, "z", True, 53)}
EDITED = {"l": (2, "edited, still unhappy", True), "m": (10, "edited, happy now", True),
          "n": (9, "edited, fine now", True), "o": (10, "edited, great now", True),
          "h": (1, "too slow, still", True)}  # not overdue yet, listed all the same
BACKLOG = {"j": (1, "no", True, 75), "k": (8, "fine", True, 74)}
DUE = ["a", "c", "j", "e", "f", "l"]  # oldest first; e and f answered together, e first
LISTED = [*DUE, "h"]  # at once, not only once overdue: the soonest due first


@pytest.fixture
def cases(app, admin) -> dict[str, int]:
    """Answers the sweep marked, a contacted one, two edited since (the sweep's backlog again, one still
    unhappy) and two it has not seen yet: {name: response id}."""
    _, invitations = sent_survey(app, customers=[(f"{name}@example.com", name, "en") for name in [*SWEPT, *BACKLOG]])
    signed = {i.customer.name: signed_invitation(i) for i in invitations}

    def answer(name, score, comment, may_contact, at):
        record_answer(signed[name], Answer(score, comment, may_contact), at, timedelta(hours=24))

    for name, (score, comment, may_contact, _) in SWEPT.items():
        answer(name, score, comment, may_contact, NOW)
    classifying.classify_pending(NOW + timedelta(hours=1), 0.5)
    for name, (score, comment, may_contact) in EDITED.items():
        answer(name, score, comment, may_contact, NOW + timedelta(hours=2))
    for name, (score, comment, may_contact, _) in BACKLOG.items():
        answer(name, score, comment, may_contact, NOW + timedelta(hours=2))
    ids = {i.customer.name: i.response.id for i in invitations}
    responses = {name: db.session.get(Response, ids[name]) for name in ids}
    follow_up.mark_contacted(responses["i"], None, NOW)
    now = utcnow()  # the page reads the real clock
    for name, (*_, hours) in {**SWEPT, **BACKLOG}.items():
        responses[name].answered_at = now - timedelta(hours=hours)
    db.session.commit()
    assert responses["l"].pending and responses["l"].awaits_contact  # in both: shown once
    assert all(responses[name].pending and responses[name].awaits_contact for name in "mnoh")  # no longer due
    return ids


def cases_shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="response-(\d+)">', page)]


@pytest.mark.parametrize("size", [3, 4])  # 4: e and f, answered at the same time, on two pages
def test_the_follow_ups_page_oldest_first_every_case_once(app, admin, cases, monkeypatch, size):
    monkeypatch.setattr(follow_up, "PAGE_SIZE", size)
    assert forwards_and_back(admin, "/triage/follow-ups", cases_shown) == [cases[name] for name in LISTED]


def test_each_case_says_when_it_falls_due_the_overdue_first(app, admin, cases):
    page = admin.get("/triage/follow-ups").get_data(as_text=True)
    labels = dict(re.findall(r'<tr id="response-(\d+)">\s*<td><time class="[^"]*" datetime="[^"]+" '
                             r'title="[^"]+ UTC">([^<]+)</time>', page))
    assert labels[str(cases["a"])] == "overdue by 2 days 4 h"   # answered 100 hours ago, due after 48
    assert labels[str(cases["l"])] in ("overdue by 1 h", "overdue by 2 h")
    assert re.fullmatch(r"due in 1 day 1[34] h", labels[str(cases["h"])])  # answered 10 hours ago
    overdue = re.findall(r'<time class="due( due-overdue)?"', page)
    assert overdue == [" due-overdue"] * len(DUE) + [""]
    for language, words in (("ar", "متأخر منذ يومين و4 ساعات"), ("fa", "2 روز و 4 ساعت از موعد گذشته")):
        page = admin.get("/triage/follow-ups", headers={"Accept-Language": language}).get_data(as_text=True)
        assert words in page and "overdue by" not in page and "due in" not in page


def test_the_daily_digest_names_who_waits_longest(app, admin, cases):
    now = utcnow()
    assert [r.id for r, *_ in follow_up.overdue(now, timedelta(hours=48))] == [cases[name] for name in DUE]
    assert [r.id for r, *_ in follow_up.overdue(now, timedelta(hours=48), limit=3)] == [cases["a"], cases["c"],
                                                                                           cases["j"]]
    assert follow_up.queue_digests(now, timedelta(hours=48), "http://survey.test") == 1  # to the one admin
    digest = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "follow_up_digest"))
    assert all(SWEPT.get(name, BACKLOG.get(name))[1] in digest.body_text for name in ["a", "c", "j", "e", "f"])
    assert EDITED["l"][1] in digest.body_text and "great" not in digest.body_text


def test_the_follow_ups_page_says_how_many_wait_up_to_a_cap(app, admin, cases, monkeypatch):
    def said():
        return re.search(r"[^>]*answers are waiting for a reply\.", admin.get("/triage/follow-ups").get_data(as_text=True))[0]

    assert said() == "7 answers are waiting for a reply."
    # Nine marked cases, five of them edited since (in the backlog too), of which two still wait: counted once.
    monkeypatch.setattr(follow_up, "COUNT_UP_TO", 7)
    assert said() == "7 answers are waiting for a reply."
    monkeypatch.setattr(follow_up, "COUNT_UP_TO", 6)
    assert said() == "More than 6 answers are waiting for a reply."
    monkeypatch.setattr(follow_up, "COUNT_UP_TO", 2)
    assert said() == "More than 2 answers are waiting for a reply."
    db.session.get(Response, cases["a"]).contacted_at = utcnow()
    db.session.commit()
    monkeypatch.setattr(follow_up, "COUNT_UP_TO", 1000)
    assert said() == "6 answers are waiting for a reply."


def test_an_empty_follow_up_list_says_so(app, admin):
    page = admin.get("/triage/follow-ups").get_data(as_text=True)
    assert "Nobody is waiting for a reply." in page and "answers are waiting" not in page
    assert 'rel="next"' not in page and "<table" not in page
    past_the_end = follow_up.Position(utcnow() - timedelta(days=400), 1).token()
    page = admin.get(f"/triage/follow-ups?after={past_the_end}").get_data(as_text=True)
    assert "Nobody on this page is waiting for a reply." in page
    assert 'href="/triage/follow-ups">Back to the first page' in page


def test_contacted_keeps_the_page_and_a_forged_page_changes_nothing(app, admin, cases, monkeypatch):
    monkeypatch.setattr(follow_up, "PAGE_SIZE", 3)
    second = pager_link(admin.get("/triage/follow-ups").get_data(as_text=True), "next")
    token = second.split("after=")[1]
    reply = admin.post(f"/triage/follow-ups/{cases['e']}/contacted?after={token}")
    assert reply.status_code == 302 and reply.headers["Location"] == second
    assert cases_shown(admin.get(second).get_data(as_text=True))[0] == cases["f"]  # e is no longer listed
    forged = admin.post(f"/triage/follow-ups/{cases['f']}/contacted?after=nonsense")
    db.session.expire_all()
    assert forged.status_code == 404 and db.session.get(Response, cases["f"]).contacted_at is None


@pytest.mark.parametrize("bound", ["after", "before"])
def test_a_cursor_the_follow_ups_did_not_write_is_not_found(app, admin, bound):
    aware = NOW.replace(tzinfo=timezone.utc)
    for cursor in ["nonsense", "9" * 5000, "²", paging.row_token("outbox", 1),
                   paging.position_token("1", moment=NOW, row=1),         # the triage list's
                   paging.position_token(moment=NOW, row=1),              # the API's
                   paging.position_token("follow-ups", moment=aware, row=1),
                   paging.position_token("follow-ups", moment=NOW, row=2**31),
                   paging._encode(("follow-ups", "yesterday", "1"))]:
        assert admin.get("/triage/follow-ups", query_string={bound: cursor}).status_code == 404, cursor
