"""Fixes: evidence, the ranked queue, and telling exactly the right people, once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.fixes import queries as fix_queries
from triage.fixes import queue as fix_queue
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop.early_access import early_access_url, read_early_access, record_early_access
from triage.models import BetaTester

PEOPLE = (("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"),
          ("sara@example.com", "Sara", "fa"), ("tom@example.com", "Tom", "en"))


def answered(app, answers):
    """answers: {email: (score, comment, may_contact)} → {email: response id}."""
    _, invitations = sent_survey(app, customers=PEOPLE)
    ids = {}
    for invitation in invitations:
        email = invitation.customer.email
        if email in answers:
            score, comment, may_contact = answers[email]
            signed = signed_invitation(invitation)
            record_answer(signed, Answer(score, comment, may_contact), NOW, timedelta(hours=24))
            ids[email] = invitation.response.id
    return ids


def loop_emails(event=None):
    query = select(OutboxEmail).order_by(OutboxEmail.recipient)
    if event:
        query = query.where(OutboxEmail.dedupe_key.like(f"{event}:%"))
    return db.session.scalars(query).all()


def test_impact_comes_from_distinct_unhappy_respondents_and_places_the_fix(app):
    ids = answered(app, {"ana@example.com": (0, "export broken", True), "badr@example.com": (2, "التصدير لا يعمل", True),
                         "sara@example.com": (10, "خروجی کمی کند است", False)})
    fix = fixes.create_fix(FixChange(title="Fix CSV export", cost=1), NOW, response_ids=ids.values())
    placed = fix_queue.placed(fix, NOW)
    assert placed.impact.respondents == 3
    assert [round(c.unhappiness, 2) for c in placed.impact.contributions] == [1.0, 0.85, 0.25]
    assert placed.impact.value == pytest.approx(100 * (1 - 2.718281828 ** (-2.1 / 8)), abs=0.1)
    assert placed.quadrant == "fill_in" and placed.rank == 1


def test_the_queue_orders_quick_wins_first_and_linking_twice_changes_nothing(app):
    ids = answered(app, {e: (0, "broken", True) for e, _, _ in PEOPLE})
    big = fixes.create_fix(FixChange(title="Rewrite sync", cost=5), NOW, response_ids=ids.values())
    quick = fixes.create_fix(FixChange(title="Fix export", cost=1), NOW, response_ids=ids.values())
    small = fixes.create_fix(FixChange(title="Rename button", cost=1), NOW, response_ids=[ids["ana@example.com"]])
    assert fixes.link_verbatims(quick, ids.values(), NOW) == 0
    queue = fix_queue.ranked_queue(NOW)
    assert [(p.fix.id, p.quadrant, p.rank) for p in queue] == [
        (quick.id, "quick_win", 1), (big.id, "major_project", 2), (small.id, "fill_in", 3)]


def test_only_work_still_to_do_is_ranked_so_shipping_one_moves_the_next_up(app):
    ids = answered(app, {e: (0, "broken", True) for e, _, _ in PEOPLE})
    first = fixes.create_fix(FixChange(title="Fix export", cost=1), NOW, response_ids=ids.values())
    second = fixes.create_fix(FixChange(title="Rewrite sync", cost=5), NOW, response_ids=ids.values())
    fixes.update_fix(first, NOW, FixChange(public_titles={"en": "Exports"}, release_note="Exports work again.",
                                           news_fallback="en"))
    fixes.change_status(first, "shipped", NOW)
    queue = fix_queue.ranked_queue(NOW)
    assert [(p.fix.id, p.rank) for p in queue] == [(second.id, 1), (first.id, None)]
    assert [p.fix.id for p in fix_queue.ranked_queue(NOW, statuses=("shipped",))] == [first.id]


def test_unknown_verbatims_and_bad_costs_are_refused_and_change_nothing(app):
    with pytest.raises(fixes.FixError, match="No such verbatim: 999"):
        fixes.create_fix(FixChange(title="Something", cost=2), NOW, response_ids=[999])
    with pytest.raises(fixes.FixError, match="1 .* to 5"):
        fixes.create_fix(FixChange(title="Something", cost=6), NOW)
    assert db.session.scalar(select(func.count()).select_from(fixes.Fix)) == 0


def test_an_override_needs_a_reason_and_keeps_the_computed_impact(app):
    ids = answered(app, {"ana@example.com": (0, "broken", True)})
    fix = fixes.create_fix(FixChange(title="Fix export", cost=3), NOW, response_ids=ids.values())
    with pytest.raises(fixes.FixError, match="needs a reason"):
        fixes.update_fix(fix, NOW, FixChange(impact_override=90))
    fixes.update_fix(fix, NOW, FixChange(impact_override=90, reason="Blocks the biggest renewal this quarter"))
    placed = fix_queue.placed(fix, NOW)
    assert placed.impact.value == 90 and placed.impact.computed < 20 and placed.quadrant == "major_project"
    assert fix.override_reason == "Blocks the biggest renewal this quarter"


def test_shipping_tells_each_opted_in_respondent_once_in_their_language(app):
    ids = answered(app, {"ana@example.com": (1, "export broken", True), "badr@example.com": (3, "التصدير لا يعمل", True),
                         "sara@example.com": (4, "خروجی کار نمی‌کند", True), "tom@example.com": (2, "export!", False)})
    db.session.get(Customer, db.session.scalar(select(Customer.id).where(Customer.email == "sara@example.com"))
                   ).unsubscribed_at = NOW
    db.session.commit()
    fix = fixes.create_fix(FixChange(title="Fix CSV export", cost=2), NOW, response_ids=ids.values())
    with pytest.raises(fixes.FixError, match="release note"):
        fixes.change_status(fix, "shipped", NOW)
    assert fixes.change_status(fix, "planned", NOW) == 0  # the team chose not to tell
    fixes.update_fix(fix, NOW, FixChange(public_titles={"en": "CSV export", "ar": "تصدير CSV"},
                                         release_notes={"en": "Exports of any size now finish.",
                                                        "ar": "يكتمل التصدير الآن مهما كان حجمه."}))
    assert fixes.change_status(fix, "shipped", NOW) == 2
    fixes.change_status(fix, "in_progress", NOW)
    assert fixes.change_status(fix, "shipped", NOW) == 0  # flipped back and forth: told once
    shipped = loop_emails("fix-shipped")
    assert [(e.recipient, e.locale) for e in shipped] == [("ana@example.com", "en"), ("badr@example.com", "ar")]
    assert "Exports of any size now finish." in shipped[0].body_text
    assert [e.recipient for e in fix_queries.loop_history(fix)] == ["ana@example.com", "badr@example.com"]


def test_planned_news_carries_an_early_access_link_that_records_a_beta_tester_once(app):
    ids = answered(app, {"ana@example.com": (1, "please add dark mode", True)})
    fix = fixes.create_fix(FixChange(title="Dark mode", cost=2, public_titles={"en": "Dark mode"}), NOW,
                           response_ids=ids.values())
    assert fixes.change_status(fix, "planned", NOW, tell_planned=True) == 1
    assert fixes.tell_planned(fix, NOW) == 0
    (email,) = loop_emails("fix-planned")
    url = next(word for word in email.body_text.split() if "/early/" in word)
    token = url.rsplit("/", 1)[1]
    fix_id, customer_id = read_early_access(token)
    assert fix_id == fix.id
    assert record_early_access(fix_id, customer_id, NOW) and record_early_access(fix_id, customer_id, NOW)
    assert db.session.scalar(select(func.count()).select_from(BetaTester)) == 1
    assert read_early_access(token[:-2] + "xx") is None


@pytest.mark.parametrize("start, new", [("open", "open-ish"), ("shipped", "open"), ("wont_do", "shipped")])
def test_bad_status_changes_are_refused(app, start, new):
    fix = fixes.create_fix(FixChange(title="Something", cost=2), NOW)
    fix.status = start
    db.session.commit()
    with pytest.raises(fixes.FixError):
        fixes.change_status(fix, new, NOW)
    db.session.rollback()
    assert db.session.get(fixes.Fix, fix.id).status == start


def test_the_early_access_page_asks_on_get_and_records_on_post_without_a_cookie(app, client):
    ids = answered(app, {"badr@example.com": (1, "نريد الوضع الليلي", True)})
    fix = fixes.create_fix(FixChange(title="Dark mode", cost=2), NOW, response_ids=ids.values())
    customer_id = db.session.scalar(select(Customer.id).where(Customer.email == "badr@example.com"))
    path = early_access_url(fix.id, customer_id).removeprefix(app.config["BASE_URL"])
    page = client.get(path)
    assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)
    assert "تجربته مبكرًا" in page.get_data(as_text=True)  # in the customer's language
    assert db.session.scalar(select(func.count()).select_from(BetaTester)) == 0  # a GET never writes
    done = client.post(path)
    assert done.status_code == 200 and "Set-Cookie" not in done.headers
    assert db.session.scalar(select(func.count()).select_from(BetaTester)) == 1
    assert client.get(path[:-3] + "abc").status_code == 404


def test_unhappy_opted_in_commenters_wait_in_the_follow_up_list_until_contacted(app, client):
    from feedback_app.accounts.services import create_user
    from triage.loop import follow_up

    answered(app, {"ana@example.com": (2, "support never answered", True), "badr@example.com": (3, "سيء", False),
                   "sara@example.com": (9, "کند است", True), "tom@example.com": (4, "", True)})
    later = NOW + timedelta(hours=49)
    assert follow_up.overdue(NOW + timedelta(hours=47), timedelta(hours=48)) == []
    (waiting,) = follow_up.overdue(later, timedelta(hours=48))
    assert waiting[2] == "ana@example.com"
    user = create_user("triager@example.com", "long-enough-password", "triager")
    assert follow_up.queue_digests(later, timedelta(hours=48), "http://x") == 1
    assert follow_up.queue_digests(later + timedelta(hours=3), timedelta(hours=48), "http://x") == 0  # once a day
    from feedback_app.core.clock import utcnow
    waiting[0].answered_at = utcnow() - timedelta(days=3)  # the page reads the real clock
    db.session.commit()
    client.post("/login", data={"email": "triager@example.com", "password": "long-enough-password"})
    assert "support never answered" in client.get("/triage/follow-ups").get_data(as_text=True)
    client.post(f"/triage/follow-ups/{waiting[0].id}/contacted")
    db.session.expire_all()
    assert follow_up.overdue(later, timedelta(hours=48)) == [] and waiting[0].contacted_by == user.id
