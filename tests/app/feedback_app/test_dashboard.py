"""The dashboard shows the numbers the data says. Every expected figure is worked out here by hand
from the answers below, not read back from the code that computes it."""
import math
import re
import smtplib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer, Response
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.classification import services
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop import follow_up
from triage.models import TriageItem
from triage.verbatims import classifying

Z = 1.959964
DAY = timedelta(days=1)

# email: (kind, survey sent, answered, score, comment, may contact, type a triager sets)
ANSWERS = {
    "c1@example.com": ("nps", NOW - 15 * DAY, NOW - 14 * DAY, 0, "the app crashes on start", True, "functionality"),
    "c2@example.com": ("nps", NOW - 15 * DAY, NOW - 13 * DAY, 3, "far too expensive", True, "pricing"),
    "c3@example.com": ("nps", NOW - 15 * DAY, NOW - 7 * DAY, 10, "love it, add a dark mode", True, "feature_request"),
    "c4@example.com": ("nps", NOW - 15 * DAY, NOW, 8, "", True, None),
    "c5@example.com": ("nps", NOW - 15 * DAY, NOW - 7 * DAY, 5, "support never answered", False, "service"),
    "c6@example.com": ("nps", NOW - 15 * DAY, NOW, 6, "export crashes", True, "functionality"),
    "f1@example.com": ("nps", NOW - 3 * DAY, NOW - 2 * DAY, 9, "", True, None),                  # a second NPS survey
    "d1@example.com": ("csat", NOW - 2 * DAY, NOW - DAY, 5, "", True, None),
    "d2@example.com": ("csat", NOW - 2 * DAY, NOW - DAY, 4, "please add a calendar", False, "feature_request"),
    "d3@example.com": ("csat", NOW - 2 * DAY, NOW - DAY, 1, "charged twice", True, "pricing"),
    "e1@example.com": ("nps", NOW - 101 * DAY, NOW - 100 * DAY, 0, "hard to use", False, "usability"),  # before
}


def nps_by_hand(scores):
    n = len(scores)
    promoters, detractors = sum(s >= 9 for s in scores) / n, sum(s <= 6 for s in scores) / n
    return 100 * (promoters - detractors), Z * 100 * math.sqrt((promoters + detractors - (promoters - detractors) ** 2) / n)


def wilson_half_width(satisfied, n):
    p = satisfied / n
    return 100 * Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)


def impact_by_hand(weights):
    return 100 * (1 - math.exp(-sum(weights) / 8))


def recency(days):
    return 0.5 ** (days / 90)


def load(app):
    """The answers above through the real use cases, the fixes and the loop; returns response ids by email."""
    groups = {}
    for email, (kind, sent, *_rest) in ANSWERS.items():
        groups.setdefault((kind, sent), []).append(email)
    ids = {}
    for (kind, sent), emails in groups.items():
        _, invitations = sent_survey(app, kind=kind, customers=[(e, None, "en") for e in emails], now=sent)
        for invitation in invitations:
            email = invitation.customer.email
            _, _, answered, score, comment, may_contact, _ = ANSWERS[email]
            record_answer(signed_invitation(invitation),
                          Answer(score, comment, may_contact), answered, timedelta(hours=24))
            ids[email] = invitation.response.id
    classifying.classify_pending(NOW, review_below=0.5)
    triager = create_user("triager@example.com", "long-enough-password", "triager")
    for item in db.session.scalars(select(TriageItem)):
        email = next(e for e, rid in ids.items() if rid == item.response_id)
        services.correct(item, ANSWERS[email][6], triager.id, NOW)
    # Praise from chat, a week ago: unhappy by its score, opted in and with words, but nothing to fix — in no
    # per-type count, awaiting no call, and the only entry of "what customers love".
    praise = Response(channel="chat", kind="csat", score=1, comment="The staff were lovely, thank you!", locale="en",
                      may_contact=True, answered_at=NOW - 7 * DAY, updated_at=NOW - 7 * DAY)
    db.session.add(praise)
    db.session.commit()
    classifying.correct_response(praise, "praise", triager.id, NOW, review_below=0.5)
    classifying.classify_pending(NOW, review_below=0.5)
    ids["praise"] = praise.id
    # Feedback from chat that is not classified yet: it counts as "no type (yet)".
    db.session.add(Response(channel="chat", kind="csat", score=None, comment="just a note", locale="en",
                            answered_at=NOW, updated_at=NOW))
    db.session.commit()

    def fix(title, cost, created, emails, ship_at=None):
        made = fixes.create_fix(FixChange(title=title, cost=cost), created, response_ids=[ids[e] for e in emails])
        if ship_at:
            fixes.update_fix(made, created, FixChange(public_titles={"en": "Done"}, release_note="It is done.",
                                                           news_fallback="en"))
            fixes.change_status(made, "shipped", ship_at)
        return made

    made = {"crash": fix("Fix the crash on start", 1, NOW, ["c1@example.com", "c6@example.com"]),
            "price": fix("A cheaper plan", 4, NOW - 3 * DAY, ["c2@example.com", "d3@example.com"], NOW - 2 * DAY),
            "dark": fix("Dark <mode>", 2, NOW, ["c3@example.com", "d2@example.com"]),
            "reports": fix("Crash reports", 3, NOW - 2 * DAY, ["c1@example.com"], NOW - DAY),
            "old": fix("Old fix", 2, NOW - 99 * DAY, ["e1@example.com"], NOW - 95 * DAY),
            "no": fix("Not doing this", 2, NOW, [])}
    fixes.update_fix(made["dark"], NOW, FixChange(public_titles={"en": "Dark mode"}, news_fallback="en"))
    fixes.change_status(made["dark"], "planned", NOW, tell_planned=True)
    fixes.change_status(made["no"], "wont_do", NOW)
    for number in range(1, 6):
        made[f"idea{number}"] = fix(f"Idea {number}", 5, NOW, [])
    follow_up.mark_contacted(db.session.get(Response, ids["c6@example.com"]), triager.id, NOW)
    # Through the outbox, whose listeners keep the loop figure: the shipped news reaches c1 and c2, d3's
    # address is refused for good, and everything else (c3's "planned" news among it) waits for a retry.
    deliver_due(NOW, Mailbox(deliver={"c1@example.com", "c2@example.com"}, refuse={"d3@example.com"}),
                "team@example.com")
    customer = {c.email: c.id for c in db.session.scalars(select(Customer))}
    statuses = dict(db.session.execute(select(OutboxEmail.dedupe_key, OutboxEmail.status)).all())
    assert {key: status for key, status in statuses.items() if key.startswith("fix-")} == {
        f"fix-shipped:{made['price'].id}:{customer['c2@example.com']}": "sent",
        f"fix-shipped:{made['price'].id}:{customer['d3@example.com']}": "failed",
        f"fix-shipped:{made['reports'].id}:{customer['c1@example.com']}": "sent",
        f"fix-planned:{made['dark'].id}:{customer['c3@example.com']}": "pending"}
    return ids, made


class Mailbox:
    """A transport that delivers to some addresses, is refused others for good, and is told to try later
    for the rest."""
    longest_send = timedelta(0)

    def __init__(self, deliver, refuse):
        self.deliver, self.refuse = deliver, refuse

    def send(self, message):
        if message.recipient not in self.deliver:
            code = 550 if message.recipient in self.refuse else 451
            raise smtplib.SMTPRecipientsRefused({message.recipient: (code, b"not now")})

    def close(self):
        pass


class Tables(HTMLParser):
    """Rows of cell texts of every table with an id, and every element's text by its id."""

    def __init__(self):
        super().__init__()
        self.tables, self.table, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self.table is not None:
            self.row = []
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html):
    parser = Tables()
    parser.feed(html)
    return parser.tables


def part(html, start, end):
    """The HTML from a marker to the next `end` after it."""
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def board_page(app, client, monkeypatch):
    monkeypatch.setattr("feedback_app.dashboard.utcnow", lambda: NOW)
    ids, made = load(app)
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})

    def get(query=""):
        reply = client.get("/" + query)
        assert reply.status_code == 200
        return reply.get_data(as_text=True)
    return get, ids, made


def test_scores_over_all_surveys_of_a_kind_with_margin_and_n(board_page):
    get, _, _ = board_page
    html = get()
    # In the period: NPS answers 0, 3, 10, 8, 5, 6 (first survey) and 9 (second); e1's 0 is older.
    nps_value, nps_margin = nps_by_hand([0, 3, 10, 8, 5, 6, 9])
    nps = part(html, 'data-kind="nps"', "</article>")
    assert f'data-metric="score">{nps_value:.0f}<' in nps and nps_value == pytest.approx(-28.57, abs=0.01)
    assert f"± {nps_margin:.1f} · n = 7" in text(nps)
    assert 'kind-panel unreliable" aria-labelledby="kind-nps"' in html and "Fewer than 30 answers" in nps  # greyed
    # CSAT 5, 4, 1 from the surveys and chat's 1 a week ago (channel scores count; its unscored note does not):
    # two of four satisfied.
    csat = part(html, 'data-kind="csat"', "</article>")
    assert 'data-metric="score">50%<' in csat
    assert f"± {wilson_half_width(2, 4):.1f} · n = 4" in text(csat)
    assert 'data-kind="ces"' not in html  # no CES survey has answers


def test_the_weekly_trend_of_a_kind(board_page):
    get, _, _ = board_page
    nps = part(get(), 'data-kind="nps"', "</article>")
    rows = tables(nps.replace("<table", '<table id="trend"', 1))["trend"][1:]
    weeks = {"2026-11-09": [0, 3], "2026-11-16": [10, 5, 9], "2026-11-23": [8, 6]}
    for (week, scores), row in zip(weeks.items(), rows, strict=True):
        assert row[0] == week
        value, margin = nps_by_hand(scores)
        assert row[1:] == [f"{value:.1f}", f"{margin:.1f}", str(len(scores))]
    assert "<svg" in nps and "<polyline" in nps


def test_answers_per_type_per_week(board_page):
    get, _, _ = board_page
    html = get("?weeks=4")
    header, *body = tables(html)["types-table"]
    assert header == ["Week of", "Functionality", "Feature request", "Service", "Pricing", "No type (yet)", "Total"]
    rows = {row[0]: row[1:] for row in body}
    assert list(rows) == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "Total"]
    assert rows["2026-11-02"] == ["0", "0", "0", "0", "0", "0"]
    assert rows["2026-11-09"] == ["1", "0", "0", "1", "0", "2"]     # c1 crash, c2 price
    assert rows["2026-11-16"] == ["0", "2", "1", "1", "0", "4"]     # c3 and d2 ask, c5 support, d3 charged
    assert rows["2026-11-23"] == ["1", "0", "0", "0", "1", "2"]     # c6 crash, the chat note
    assert rows["Total"] == ["2", "2", "1", "2", "1", "8"]
    assert "Usability" not in html.split('id="types-table"')[1].split("</table>")[0]  # e1 is before the period
    assert 'aria-current="page">4 weeks<' in html
    assert html.count("<rect") >= 9  # one per (week, type) with answers in the stacked chart, plus the legend's


def test_the_top_of_the_queue(board_page):
    get, _, made = board_page
    html = get()
    rows = tables(html)["queue"][1:]
    # Crash: c1 (NPS 0, 14 days ago) and c6 (NPS 6 → 1 − 0.75·0.6, today). Dark mode: c3 (NPS 10 → 0.25,
    # a week ago) and d2 (CSAT 4 → 1 − 0.75·0.75, a day ago). Both are cheap and below 35: fill-ins,
    # crash first (impact per cost). Five ideas of cost 5 and no evidence are time sinks, by age.
    # Shipped and dropped fixes are not in it: "#" is the place among the fixes still to do.
    crash = impact_by_hand([1.0 * recency(14), 0.55])
    dark = impact_by_hand([0.25 * recency(7), 0.4375 * recency(1)])
    assert [r[:7] for r in rows] == [
        ["1", "Fix the crash on start", "Fill-in — soon", "1/5", f"{crash:.0f}", "2", "open"],
        ["2", "Dark <mode>", "Fill-in — soon", "2/5", f"{dark:.0f}", "2", "planned"],
        ["3", "Idea 1", "Time sink — someday", "5/5", "0", "0", "open"],
        ["4", "Idea 2", "Time sink — someday", "5/5", "0", "0", "open"],
        ["5", "Idea 3", "Time sink — someday", "5/5", "0", "0", "open"]]
    assert "All fixes (7 to do)" in html and 'href="/fixes"' in html
    assert f'href="/fixes/{made["crash"].id}"' in html and "Dark &lt;mode&gt;" in html  # escaped


def test_the_loop_metrics(board_page):
    get, _, _ = board_page
    html = get()
    # Unhappy, with a comment, opted in, in the period: c1, c2, c6, d3 (c5 did not opt in, e1 is older).
    # c1 and c2 were delivered news of a shipped fix, c6 was contacted; d3's email failed. 3 of 4.
    contacted = text(part(html, 'id="metric-contacted"', "</div>"))
    assert "75%" in contacted and "3 of 4" in contacted
    # Shipped in the period: the cheaper plan (2 days ago; first feedback c2, 13 days ago) → 11 days,
    # crash reports (yesterday; c1, 14 days ago) → 13 days. Median 12. The old fix shipped before.
    days = text(part(html, 'id="metric-days"', "</div>"))
    assert "12.0" in days and "median over 2 fixes" in days
    # Delivered news: c2 and c1; waiting: c3's "planned" email; failed: d3's.
    told = text(part(html, 'id="metric-told"', "</div>"))
    assert "Respondents told 2 1 email waiting · 1 failed" in told


def test_what_customers_love_is_shown_apart_from_the_problems(board_page):
    get, ids, _ = board_page
    html = get()
    love = part(html, 'id="love"', "</section>")
    assert "What customers love" in love and "1 comment of praise in this period." in text(love)
    assert "“The staff were lovely, thank you!”" in text(love)
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == ids["praise"]))
    assert item.theme and f">{item.theme}</a> <span class=\"count\">1 comment</span>" in love  # its theme group
    assert love.count("type=praise") == 2  # the count and the theme open the triage list's praise
    assert "Praise" not in part(html, 'id="types-table"', "</table>")
    assert "Praise is not a problem" in part(html, 'id="types-title"', "</section>")


def test_a_period_without_praise_says_so(app, client, monkeypatch):
    monkeypatch.setattr("feedback_app.dashboard.utcnow", lambda: NOW)
    _, invitations = sent_survey(app, customers=[("a@example.com", None, "en")], now=NOW - DAY)
    record_answer(signed_invitation(invitations[0]), Answer(2, "the app crashes on start", True), NOW,
                  timedelta(hours=24))
    classifying.classify_pending(NOW, review_below=0.5)
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})
    love = part(client.get("/").get_data(as_text=True), 'id="love"', "</section>")
    assert "No praise yet." in love and "of praise in this period" not in love
    love = part(client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True), 'id="love"', "</section>")
    assert "ما يحبه العملاء" in love and "No praise yet" not in love


def test_a_bad_period_says_so_and_shows_twelve_weeks(board_page):
    get, _, _ = board_page
    html = get("?weeks=7")
    assert "A period is 4, 12 or 52 weeks" in html and 'aria-current="page">12 weeks<' in html
    assert "from Monday 2026-09-07" in html


def test_a_new_installation_says_what_to_do_first(app, client):
    create_user("admin@example.com", "long-enough-password", "admin")
    client.post("/login", data={"email": "admin@example.com", "password": "long-enough-password"})
    html = client.get("/").get_data(as_text=True)
    assert "Start here" in html and 'href="/customers"' in html and 'href="/surveys/new"' in html
    assert 'id="scores-title"' not in html and "What to fix first" not in html and "52 weeks" not in html


def test_the_dashboard_is_home_needs_sign_in_and_turns_right_to_left(app, client):
    assert client.get("/").status_code == 302 and "/login" in client.get("/").headers["Location"]
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})
    html = client.get("/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert 'dir="rtl"' in html and 'class="brand" href="/"' in html
    menu = html.split('<nav aria-label="')[1].split("</nav>")[0]
    assert menu.index('href="/"') < menu.index('href="/triage"')  # the first link of the menu
    assert ">Dashboard</a>" not in menu  # in Persian, like the rest of the page
