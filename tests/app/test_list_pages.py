"""The outbox, the customers and the follow-ups, a page at a time by keyset (issue 10): following the links
forwards and back shows every row once and in order, a cursor the app did not write is a 404, an empty page
says so, and the counts shown are right. Small page sizes here; the pages' statement counts are in
test_query_counts.py."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import insert

from feedback_app import paging
from feedback_app.accounts.services import create_user
from feedback_app.extensions import db
from feedback_app.outbox import OutboxEmail
from tests.support.factories import NOW, add_customers

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
    return re.findall(r"<tr><td>([^<]+@example\.com)</td>", page)


def test_the_customers_page_in_the_order_they_were_added_every_customer_once(app, admin, monkeypatch):
    monkeypatch.setattr("surveys.views.CUSTOMERS_PER_PAGE", 3)
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


def foreign_and_forged(list_name: str) -> list[str]:
    """Cursors no page of `list_name` wrote: garbled, forged, or another list's."""
    other = "customers" if list_name == "outbox" else "outbox"
    return ["nonsense", "9" * 5000, "²", paging.row_token(other, 1), paging.row_token(list_name, 2**31),
            paging.row_token(list_name, 0), paging._encode((list_name, "١")), paging._encode((list_name, "1", "2")),
            paging.position_token("follow-ups", moment=NOW, row=1), paging.position_token("1", moment=NOW, row=1)]


@pytest.mark.parametrize("bound", ["after", "before"])
def test_a_cursor_the_outbox_did_not_write_is_not_found(app, admin, bound):
    add_emails("sent")
    for cursor in foreign_and_forged("outbox"):
        assert admin.get("/admin/outbox", query_string={bound: cursor, "status": "sent"}).status_code == 404, cursor
