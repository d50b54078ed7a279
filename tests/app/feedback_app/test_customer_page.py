"""One customer's page and `feedback customers show`: everything about them on one timeline, newest first, from
data made through the real use cases; unknown and erased customers have no page; every team page that names a
customer links to it; and the page runs the same statements however long their history."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from feedback_app import customer_page
from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.transports import transport_from_config
from privacy.services import erase_customer
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation, Response
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers
from surveys.scales.answers import Answer
from tests.support.factories import NOW, add_customers, sent_survey
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop import follow_up
from triage.loop.early_access import record_early_access
from triage.models import TriageItem
from triage.verbatims import classifying
from triage.verbatims.intake import ChannelFeedback, take_feedback
from retention.models import Activity, StageChange
from retention.refresh import refresh_stages

EMAIL, NAME = "shirin@example.com", "Shirin Tehrani"
WORDS = "خروجی PDF همیشه خراب می‌شود و فاکتورها گم می‌شوند"  # Persian: the page must keep it in its direction
CHANNEL_WORDS = "The invoice export crashed again"
SECOND_WORDS = "گزارش گروهی"  # her answer to the thank-you page's question
PASSWORD = "long-enough-password"
DAY = timedelta(days=1)
SENT = NOW - 60 * DAY  # the first survey; every later step is a day apart, the second survey 40 days on


@dataclass
class Story:
    customer_id: int
    answer_id: int
    channel_id: int
    fix_id: int
    survey_ids: tuple[int, int]
    triager_id: int


def deliver(app, now):
    deliver_due(now, transport_from_config(app.config), "Acme <feedback@acme.test>")


def their_story(app) -> Story:
    """Shirin (Persian, plan pro, mrr 120): invited, answers 3 in Persian and writes to support, both linked to
    a fix that is planned (she is told), she asks to try it early, it ships (told again), a triager calls her,
    and a second survey invites her weeks later (no answer). Ana answers the first survey too."""
    survey, (theirs, ana) = sent_survey(app, customers=((EMAIL, NAME, "fa"), ("ana@example.com", "Ana", "en")),
                                        now=SENT)
    import_customers(ParsedCSV(rows=[CustomerRow(2, EMAIL, NAME, "fa", {"plan": "pro", "mrr": "120"})]))
    record_answer(signed_invitation(theirs), Answer(3, WORDS, True), SENT + DAY, timedelta(hours=24))
    record_answer(signed_invitation(ana), Answer(9, "all good", False), SENT + DAY, timedelta(hours=24))
    record_second_answer(theirs.response.id, survey.id, "بعد چه بسازیم؟", SECOND_WORDS, "fa", SENT + DAY)
    channel = take_feedback(ChannelFeedback(CHANNEL_WORDS, email=EMAIL, score=2, kind="nps", channel="support-email",
                                            may_contact=True, external_id="ticket-7731"), SENT + 2 * DAY, 0.5).response
    classifying.classify_pending(SENT + 2 * DAY, 0.5)
    fix = fixes.create_fix(FixChange(title="Faster exports", cost=2), SENT + 3 * DAY,
                           response_ids=[theirs.response.id, channel.id])
    fixes.update_fix(fix, SENT + 3 * DAY, FixChange(public_titles={"en": "Exports"}, news_fallback="en",
                                                    release_note="Exports of any size now finish."))
    fixes.change_status(fix, "planned", SENT + 4 * DAY, tell_planned=True)
    record_early_access(fix.id, theirs.customer_id, SENT + 5 * DAY)
    fixes.change_status(fix, "in_progress", SENT + 6 * DAY)
    fixes.change_status(fix, "shipped", SENT + 6 * DAY)
    deliver(app, SENT + 6 * DAY)
    triager = create_user("triager@example.com", PASSWORD, "triager")
    follow_up.mark_contacted(db.session.get(Response, theirs.response.id), triager.id, SENT + 7 * DAY)
    later = create_survey("nps", "Spring NPS", "Acme")
    send_survey(later, SENT + 40 * DAY, cooldown_days=30)
    db.session.commit()
    return Story(theirs.customer_id, theirs.response.id, channel.id, fix.id, (survey.id, later.id), triager.id)


def sign_in(client, role: str = "viewer") -> None:
    email = f"{role}-reader@example.com"
    create_user(email, PASSWORD, role)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def events_of(html: str) -> list[str]:
    """The timeline's events in the page's order, as "kind-row"."""
    return re.findall(r'<li class="event-[a-z_]+" id="([a-z_]+-\d+)"', html)


def email_ids(kind: str) -> list[int]:
    return list(db.session.scalars(select(OutboxEmail.id).where(OutboxEmail.template == kind)
                                   .where(OutboxEmail.recipient == EMAIL)))


# ---------------------------------------------------------------- the page


def test_the_page_shows_everything_about_them_newest_first(app, client):
    story = their_story(app)
    sign_in(client)  # a viewer: every team member may read it
    reply = client.get(f"/customers/{story.customer_id}")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    # About and attributes
    assert EMAIL in html and NAME in html and "Persian" in html
    assert re.search(r"<dt[^>]*>mrr</dt><dd[^>]*>120</dd>", html) and re.search(r"<dt[^>]*>plan</dt><dd[^>]*>pro</dd>", html)
    # One timeline, newest first: the second invitation (day 40), the call (7), the shipped news (6), early access
    # (5), the planned news (4), the support email (2), the answer (1), the first invitation (0).
    invitations = db.session.scalars(select(Invitation.id).where(Invitation.customer_id == story.customer_id)
                                     .order_by(Invitation.sent_at)).all()
    (planned,), (shipped,) = email_ids("fix_planned"), email_ids("fix_shipped")
    assert events_of(html) == [f"invitation-{invitations[1]}", f"contact-{story.answer_id}", f"news-{shipped}",
                               f"early_access-{story.fix_id}", f"news-{planned}", f"feedback-{story.channel_id}",
                               f"answer-{story.answer_id}", f"invitation-{invitations[0]}"]
    # The answer: its score and band, its words in their direction and language, its type and a way to triage.
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == story.answer_id))
    answer = html[html.index(f'id="answer-{story.answer_id}"'):html.index(f'id="invitation-{invitations[0]}"')]
    assert '<span class="score-chip small">3</span>' in answer and "NPS · unhappy" in answer
    assert f'<blockquote dir="auto" lang="fa">{WORDS}</blockquote>' in answer
    assert f"#item-{item.id}" in answer and "Open in triage" in answer
    assert f'<span class="hint">Second answer:</span> <bdi dir="auto">{SECOND_WORDS}</bdi>' in answer
    assert f'href="/fixes/{story.fix_id}"' in answer and "may be contacted" in answer
    feedback = html[html.index(f'id="feedback-{story.channel_id}"'):html.index(f'id="answer-{story.answer_id}"')]
    assert "support-email" in feedback and "ticket-7731" in feedback and CHANNEL_WORDS in feedback
    assert "NPS · unhappy" in feedback  # 2 of 0–10
    assert "Contacted by triager@example.com" in html
    assert "not answered" in html and "Spring NPS" in html
    # In numbers: two invitations, one answer, one feedback, one call, two news, one early-access request, no
    # offer of advice.
    numbers = html[html.index('id="summary"'):html.index('id="fixes"')]
    assert re.findall(r"<dd>(\d+)</dd>", numbers) == ["2", "1", "1", "1", "2", "1", "0"]
    fixes_part = html[html.index('id="fixes"'):html.index('id="timeline"')]
    assert "Faster exports" in fixes_part and "2 verbatims" in fixes_part and "shipped" in fixes_part


def test_the_triage_link_opens_the_list_at_their_verbatim(app, client):
    story = their_story(app)
    sign_in(client)
    html = client.get(f"/customers/{story.customer_id}").get_data(as_text=True)
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == story.answer_id))
    link = re.search(rf'href="(/triage\?after=[^"#]+)#item-{item.id}"', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'id="item-(\d+)"', listed)[0] == str(item.id)


def test_a_customer_with_nothing_yet_has_clear_empty_states(app, client):
    (customer,) = add_customers(("new@example.com", None, "en"))
    db.session.commit()
    sign_in(client)
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "No answers yet" in html and "No attributes." in html
    assert "Nothing yet: no invitation, answer or feedback" in html and "None yet. A fix" in html
    assert events_of(html) == []


def test_no_page_for_an_unknown_or_erased_customer(app, client):
    story = their_story(app)
    sign_in(client, "admin")
    assert client.get("/customers/999999").status_code == 404
    erase_customer(EMAIL, "test", NOW)
    reply = client.get(f"/customers/{story.customer_id}")
    assert reply.status_code == 404 and "erased on request" in reply.get_data(as_text=True)
    assert EMAIL not in reply.get_data(as_text=True)
    # Their anonymous answers stay, and no page links to a customer they no longer belong to.
    html = client.get("/triage").get_data(as_text=True)
    assert f"/customers/{story.customer_id}" not in html


def test_strangers_sign_in_first(app, client):
    story = their_story(app)
    reply = client.get(f"/customers/{story.customer_id}")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")


def test_a_long_history_is_cut_where_one_kind_runs_out(app, client, monkeypatch):
    story = their_story(app)
    monkeypatch.setattr(customer_page, "CAP", 1)  # one row of each kind read
    sign_in(client)
    html = client.get(f"/customers/{story.customer_id}").get_data(as_text=True)
    # Two kinds are read short: invitations (the newest, day 40, of two) and news (the shipped one, day 6, of
    # two). The later cut wins: nothing older than day 40 is shown, which leaves the newest invitation alone.
    (shipped,) = email_ids("fix_shipped")
    newest = db.session.scalar(select(Invitation.id).where(Invitation.survey_id == story.survey_ids[1],
                                                           Invitation.customer_id == story.customer_id))
    assert events_of(html) == [f"invitation-{newest}"]
    assert f"news-{shipped}" not in html
    note = html[html.index('role="note"'):]
    assert "invitations 1" in note and "fix news 2" in note and "survey answers 1" in note


# ---------------------------------------------------------------- linked from every page that names them


def test_every_team_page_naming_them_links_to_their_page(app, client):
    story = their_story(app)
    sign_in(client, "admin")
    target = f'href="/customers/{story.customer_id}"'
    pages = ["/customers", f"/surveys/{story.survey_ids[0]}", "/triage", f"/fixes/{story.fix_id}", "/admin/outbox"]
    for path in pages:
        assert target in client.get(path).get_data(as_text=True), path
    fix_page = client.get(f"/fixes/{story.fix_id}").get_data(as_text=True)
    # Linked verbatims (2), the impact breakdown (1), who was told (2), beta testers (1).
    assert fix_page.count(target) == 6
    found = client.post("/admin/privacy/lookup", data={"lookup-email": EMAIL}).get_data(as_text=True)
    assert target in found
    (planned,) = email_ids("fix_planned")
    assert target in client.get(f"/admin/outbox/{planned}").get_data(as_text=True)


def test_the_follow_up_list_links_to_their_page(app, client):
    _, (invitation,) = sent_survey(app, customers=((EMAIL, NAME, "en"),), now=NOW - DAY)
    record_answer(signed_invitation(invitation), Answer(2, "the export crashes", True), NOW - DAY, timedelta(hours=24))
    classifying.classify_pending(NOW, 0.5)
    sign_in(client)
    html = client.get("/triage/follow-ups").get_data(as_text=True)
    assert f'href="/customers/{invitation.customer_id}"' in html and f'href="mailto:{EMAIL}"' in html


# ---------------------------------------------------------------- feedback customers show


def test_show_prints_them_as_json(app):
    story = their_story(app)
    result = app.test_cli_runner().invoke(args=["customers", "show", " Shirin@Example.com ", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"email", "stage", "stage_since", "name", "locale", "attributes", "answers", "last_answer"} <= set(data)
    assert (data["email"], data["name"], data["locale"]) == (EMAIL, NAME, "fa")
    assert data["stage"] is None and data["stage_since"] is None  # no refresh yet
    assert data["activity"] == {"count": 0, "first_at": None, "last_at": None, "purchases": 0, "revenue": None}
    assert data["attributes"] == {"plan": "pro", "mrr": "120"}
    assert (data["invitations"], data["answers"], data["channel_feedback"], data["contacts"], data["fix_news"],
            data["fixes_supported"]) == (2, 1, 1, 1, 2, 1)
    # The newest of what they said is the support email of day 2, not the answer of day 1.
    last = data["last_answer"]
    assert (last["id"], last["channel"], last["score"], last["band"], last["text"]) == (
        story.channel_id, "support-email", 2, "unhappy", CHANNEL_WORDS)
    assert last["answered_at"] == (SENT + 2 * DAY).isoformat() + "+00:00"
    assert data["fixes"] == [{"id": story.fix_id, "title": "Faster exports", "status": "shipped", "verbatims": 2}]
    assert data["url"] == f"http://survey.test/customers/{story.customer_id}"


def test_show_prints_a_summary_for_people(app):
    their_story(app)
    result = app.test_cli_runner().invoke(args=["customers", "show", EMAIL])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{EMAIL}  ({NAME})")
    assert "plan=pro, mrr=120" in result.output and "answers: 1" in result.output
    assert "supports fix #" in result.output and "Faster exports (shipped)" in result.output


@pytest.mark.parametrize("email, message", [("nobody@example.com", "No customer has the address"),
                                            ("not an address", "is not a valid email address")])
def test_show_refuses_an_address_it_does_not_hold(app, email, message):
    result = app.test_cli_runner().invoke(args=["customers", "show", email, "--json"])
    assert result.exit_code != 0 and message in result.output


def test_show_says_an_erased_address_was_erased(app):
    their_story(app)
    erase_customer(EMAIL, "test", NOW)
    result = app.test_cli_runner().invoke(args=["customers", "show", EMAIL])
    assert result.exit_code != 0 and "already erased" in result.output


# ---------------------------------------------------------------- bounded


def statements(app, client, path: str) -> int:
    client.get(path)  # warm: what a process reads once is not what grows
    db.session.remove()
    seen = []

    def note(*_):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(seen)


def grow(customer_id: int, rounds: range) -> None:
    """Each round: a survey they answer, a support email, a fix both support that is planned with news, an
    early-access request and a call — one more event of every kind."""
    for n in rounds:
        when = SENT + n * DAY
        survey = create_survey("nps", f"Round {n}", "Acme")
        send_survey(survey, when, cooldown_days=0)
        invitation = db.session.scalar(select(Invitation).where(Invitation.survey_id == survey.id,
                                                                Invitation.customer_id == customer_id))
        record_answer(signed_invitation(invitation), Answer(n % 11, f"round {n}: the export is slow", True), when,
                      timedelta(hours=24))
        channel = take_feedback(ChannelFeedback(f"round {n}: invoices vanish", email=EMAIL, score=n % 11, kind="nps",
                                                channel="chat", may_contact=True, external_id=f"chat-{n}"),
                                when, 0.5).response
        classifying.classify_pending(when, 0.5)
        fix = fixes.create_fix(FixChange(title=f"Fix {n}", cost=2, public_titles={"en": f"Fix {n}"},
                                         news_fallback="en", release_note="Done."),
                               when, response_ids=[invitation.response.id, channel.id])
        fixes.change_status(fix, "planned", when, tell_planned=True)
        record_early_access(fix.id, customer_id, when)
        follow_up.mark_contacted(db.session.get(Response, channel.id), None, when)
        db.session.add(Activity(customer_id=customer_id, occurred_at=when, kind="purchase", amount=10,
                                dedupe_key=f"grow-{n}"))
        db.session.add(StageChange(customer_id=customer_id, from_stage="new" if n else None, to_stage="active",
                                   changed_at=when, reason={"key": "no_activity"}))
        db.session.commit()


def test_the_page_runs_as_many_statements_for_a_long_history(app, client, monkeypatch):
    monkeypatch.setattr(customer_page, "CAP", 3)
    (customer,) = add_customers((EMAIL, NAME, "en"))
    sign_in(client)
    path = f"/customers/{customer.id}"
    grow(customer.id, range(2))  # under the cap of every kind
    few = statements(app, client, path)
    grow(customer.id, range(2, 10))  # five times as much: past the cap of every kind
    many = statements(app, client, path)
    html = client.get(path).get_data(as_text=True)
    assert len(events_of(html)) < 6 * 10 and "Older, not shown" in html
    assert db.session.scalar(select(Customer.id).where(Customer.email == EMAIL)) == customer.id
    assert many == few, (few, many)


# ---------------------------------------------------------------- stage and activity (retention)


def test_their_stage_its_history_and_their_activity(app, client):
    (customer,) = add_customers(("weekly@example.com", None, "en"))
    customer.customer_since = NOW - 100 * DAY
    # Weekly purchases of 20 and 30.5 alternately, ten of them, the last six weeks before NOW, and a login.
    for i in range(10):
        db.session.add(Activity(customer_id=customer.id, occurred_at=NOW - (42 + 7 * i) * DAY, kind="purchase",
                                amount=(20, 30.5)[i % 2], dedupe_key=f"w{i}"))
    db.session.add(Activity(customer_id=customer.id, occurred_at=NOW - 105 * DAY, kind="login", dedupe_key="l"))
    db.session.commit()
    refresh_stages(NOW - 30 * DAY)   # quiet 12 days ≤ 21: active
    refresh_stages(NOW)              # quiet 42 days > max(3 × 7, 14) = 21: silent
    sign_in(client)
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert '<span class="tag stage-silent">Silent</span> since ' + NOW.strftime("%Y-%m-%d") in html
    assert "quiet for 42 days; their usual gap is 7 days, so silent after 21" in html
    assert [event.split("-")[0] for event in events_of(html)] == ["stage", "stage"]
    assert "Stage: from Active to Silent" in html and "First stage: Active" in html
    # 11 activities from 105 days ago to 42 days ago; 10 purchases of 5 × 20 + 5 × 30.5 = 252.50.
    assert "<dt>Activities</dt><dd>11</dd>" in html and "<dt>Purchases and renewals</dt><dd>10</dd>" in html
    assert '<dd dir="ltr">252.50</dd>' in html
    data = json.loads(app.test_cli_runner().invoke(args=["customers", "show", "weekly@example.com", "--json"]).output)
    assert (data["stage"], data["stage_since"]) == ("silent", NOW.isoformat() + "+00:00")
    assert data["stage_reason"] == {"key": "quiet_against_rhythm", "days_quiet": 42, "usual_gap": 7.0,
                                    "threshold_days": 21.0}
    assert data["activity"] == {"count": 11, "first_at": (NOW - 105 * DAY).isoformat() + "+00:00",
                                "last_at": (NOW - 42 * DAY).isoformat() + "+00:00", "purchases": 10,
                                "revenue": 252.5}
    human = app.test_cli_runner().invoke(args=["customers", "show", "weekly@example.com"]).output
    assert f"stage: silent since {NOW:%Y-%m-%d} (quiet_against_rhythm)" in human
    assert "activity: 11 from" in human and "10 purchases, revenue 252.5" in human
