"""The triage list, its export and `feedback triage export` by segment (`?segment=ID`): verbatims whose customer
(survey answers through the invitation, channel feedback its own) is in the segment; on both databases."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Customer, Response, Segment
from surveys.people.segment_store import create_segment
from tests.app.triage.verbatims.test_export import FOUR, answer_all, download, login
from tests.support.factories import NOW
from triage.verbatims import classifying, listing
from triage.verbatims.intake import ChannelFeedback, take_feedback


@pytest.fixture
def world(app):
    """FOUR's survey answers (ana 1, sara 10, reza 5, tom 0) and tom's chat message with a 9, later."""
    answer_all(app, FOUR)
    take_feedback(ChannelFeedback("love the new reports", "tom@example.com", score=9, kind="nps", channel="chat"),
                  NOW + timedelta(hours=1), 0.5)
    classifying.classify_pending(NOW + timedelta(hours=2), 0.5)
    # Unhappy by their latest NPS: ana (1) and reza (5); tom's latest is the chat's 9, sara's 10.
    return create_segment("Detractors", ["nps <= 6"], NOW).id


def listed_emails(html: str) -> list[str]:
    return sorted(re.findall(r"(ana|sara|reza|tom)@example\.com", html))


def test_the_list_shows_the_segment_s_verbatims_only(app, client, world):
    login(client, "viewer@example.com")
    html = client.get(f"/triage?segment={world}").get_data(as_text=True)
    assert "charged twice" in html and "پشتیبانی جواب نمی‌دهد" in html
    assert "crashes on start" not in html and "ممتاز جدا" not in html and "love the new reports" not in html
    assert f'<option value="{world}" selected>Detractors</option>' in html      # the filter form keeps it
    assert client.get(f"/triage?segment={world + 1}").status_code == 404
    assert client.get("/triage?segment=x").status_code == 404


def test_a_page_that_stopped_searching_says_where_to_go_on(app, client, world, monkeypatch):
    monkeypatch.setattr(listing, "SEGMENT_SCAN", 1)
    login(client, "viewer@example.com")
    pages = [client.get(f"/triage?segment={world}").get_data(as_text=True)]
    while "Search further" in pages[-1] or 'rel="next"' in pages[-1]:
        link = re.search(r'href="(/triage\?after=[^"]+)"', pages[-1]).group(1).replace("&amp;", "&")
        pages.append(client.get(link).get_data(as_text=True))
        assert len(pages) < 10
    # Each of the segment's two verbatims on exactly one page (a verbatim shows its words more than once).
    found = [e for html in pages for e in set(re.findall(r"(charged twice|پشتیبانی جواب نمی‌دهد|crashes on start)",
                                                         html))]
    assert sorted(found) == ["charged twice", "پشتیبانی جواب نمی‌دهد"]


def test_the_export_and_the_command_too(app, client, world):
    login(client, "viewer@example.com")
    assert sorted(row["customer_email"] for row in download(client, segment=str(world))) == \
        ["ana@example.com", "reza@example.com"]
    create_segment("Tom", ["nps >= 9", "plan != pro"], NOW)   # tom (9 by chat) and sara (10)
    result = app.test_cli_runner().invoke(args=["triage", "export", "--segment", "Tom"])
    assert result.exit_code == 0, result.output
    assert "love the new reports" in result.output and "ممتاز جدا" in result.output
    assert "crashes on start" in result.output                   # tom's survey answer: he is in the segment
    assert "charged twice" not in result.output
    refused = app.test_cli_runner().invoke(args=["triage", "export", "--segment", "Nope"])
    assert refused.exit_code != 0 and "no segment named 'Nope'" in refused.output


def test_pages_of_the_filtered_list_follow_each_other(app, world, monkeypatch):
    """Pages of 1 through a scan of 2: the list (newest first, review first) holds 5 verbatims, 2 in the
    segment; each page reads at most 2 list rows, so some pages are empty but say where to go on, and following
    "next" to the end visits each of the segment's verbatims exactly once."""
    monkeypatch.setattr(listing, "SEGMENT_SCAN", 2)
    filters = listing.Filters(segment=world)
    seen, after, pages = [], None, 0
    while pages < 10:
        page = listing.list_page(filters, after, size=1)
        seen += [item.response_id for item in page.items]
        pages += 1
        if page.next is None:
            break
        after = page.next
    theirs = db.session.scalars(select(Response.id).join(Customer, Customer.id == Response.customer_id, isouter=True)
                                .where(Response.comment.in_(["charged twice", "پشتیبانی جواب نمی‌دهد"]))).all()
    assert sorted(seen) == sorted(theirs) and len(seen) == 2 and pages <= 5
    assert page.total is None                                    # no tally is kept by customer
    assert db.session.scalar(select(Segment.name)) == "Detractors"
