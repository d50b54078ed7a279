"""The team's fix pages: linking from the triage list, the grid beside the ranked queue, one fix with
its evidence and loop — through the test client, on both databases."""
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.transports import transport_from_config
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer
from surveys.scales.answers import Answer
from tests.support.factories import sent_survey
from triage.fixes import queries as fix_queries
from triage.fixes import queue as fix_queue
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import Fix, FixLink, TriageItem
from triage.verbatims import classifying, listing

PASSWORD = "long-enough-password"
SVG = "{http://www.w3.org/2000/svg}"
# The pages place fixes by the real clock (impact fades with age), so the evidence here is from now.
NOW = utcnow()


def login(client, email):
    client.post("/login", data={"email": email, "password": PASSWORD})


@pytest.fixture
def triager(app, client):
    create_user("tri@example.com", PASSWORD, "triager")
    login(client, "tri@example.com")


def people(count, locale="en"):
    """New people each call: somebody surveyed already is not invited again within the cool-down."""
    first = db.session.scalar(select(func.count(Customer.id)))
    return tuple((f"p{i}@example.com", f"Person {i}", locale) for i in range(first, first + count))


def answered(app, answers, kind="nps"):
    """answers: [(score, comment, may_contact)], one person each → response ids, classified."""
    _, invitations = sent_survey(app, kind=kind, customers=people(len(answers)), now=NOW - timedelta(hours=1))
    ids = []
    for invitation, (score, comment, may_contact) in zip(invitations, answers):
        record_answer(signed_invitation(invitation),
                      Answer(score, comment, may_contact), NOW, timedelta(hours=24))
        ids.append(invitation.response.id)
    classifying.classify_pending(NOW, review_below=0.5)
    return ids


def counts():
    db.session.expire_all()
    return db.session.scalar(select(func.count(Fix.id))), db.session.scalar(select(func.count()).select_from(FixLink))


def linked_ids(fix_id):
    db.session.expire_all()
    return set(db.session.scalars(select(FixLink.response_id).where(FixLink.fix_id == fix_id)))


def follow(client, reply):
    assert reply.status_code == 303, reply.get_data(as_text=True)[:500]
    return client.get(reply.headers["Location"]).get_data(as_text=True)


# ------------------------------------------------------------------ linking from the triage list

def test_tick_verbatims_on_the_list_then_link_them_to_a_new_and_an_existing_fix(app, client, triager):
    ids = answered(app, [(2, "The export to CSV is broken", True), (3, "Export fails every time", False),
                         (1, "Cannot export my invoices", True)])
    page = client.get("/triage?band=unhappy").get_data(as_text=True)
    for response_id in ids:  # every verbatim carries a tick that belongs to the link form
        assert f'name="response" value="{response_id}" form="link-form"' in page
    assert 'id="link-form"' in page and "/fixes/link?band=unhappy" in page

    reply = client.post("/fixes/link?band=unhappy&language=en",
                        data={"response": [str(ids[0])], "to": "new", "title": "  Fix CSV   export ", "cost": "2",
                              "type": "functionality", "back": "list"})
    assert reply.headers["Location"].endswith("/triage?band=unhappy&language=en")
    page = follow(client, reply)
    assert "New fix “Fix CSV export” made with 1 verbatims." in page
    fix = db.session.scalar(select(Fix))
    assert (fix.title, fix.cost, fix.type_key, fix.theme_key) == ("Fix CSV export", 2, "functionality", None)
    assert linked_ids(fix.id) == {ids[0]}

    reply = client.post("/fixes/link?band=unhappy", data={"response": [str(i) for i in ids], "to": "existing",
                                                          "fix": str(fix.id), "back": "list"})
    assert "2 of 3 verbatims linked to “Fix CSV export”" in follow(client, reply)
    assert linked_ids(fix.id) == set(ids)
    assert counts() == (1, 3)


def test_a_theme_group_becomes_a_fix_that_then_suggests_new_verbatims_with_its_theme(app, client, triager):
    answered(app, [(2, "invoice download broken", True), (1, "invoice download broken again", True),
                   (3, "invoice download broken today", False), (9, "lovely colours", True)])
    group = listing.theme_groups(listing.Filters())[0]
    members = set(db.session.scalars(select(TriageItem.response_id).where(TriageItem.theme.is_not(None))
                                     .where(TriageItem.theme_key.contains(f" {group.key.split()[0]} "))))
    assert len(members) == 3
    page = client.get("/triage/themes").get_data(as_text=True)
    assert f'name="theme" value="{group.key}"' in page and 'name="back" value="themes"' in page

    reply = client.post("/fixes/link?review=1", data={"theme": group.key, "to": "new", "title": group.label,
                                                      "cost": "1", "back": "themes"})
    assert reply.headers["Location"].endswith("/triage/themes?review=1")
    fix = db.session.scalar(select(Fix))
    assert fix.theme_key == group.key and fix.title == group.label
    # The list's filters apply to the group: "needs review only" may narrow it, never widen it.
    linked = linked_ids(fix.id)
    assert linked <= members

    # The group's box suggests the fixes from one list on the page ("#id title"), as typed or picked.
    page = client.get("/triage/themes").get_data(as_text=True)
    assert page.count('<datalist id="fix-targets">') == 1 and f'<option value="#{fix.id} {fix.title}">' in page
    reply = client.post("/fixes/link", data={"theme": group.key, "to": "existing", "fix": f"#{fix.id} {fix.title}",
                                             "back": "list"})
    assert reply.headers["Location"].endswith("/triage")
    assert linked_ids(fix.id) == members

    (newcomer,) = answered(app, [(0, "the invoice download is broken", True)], kind="csat")
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    suggested = page.split('id="suggested"')[1].split("</section>")[0]
    assert "the invoice download is broken" in suggested and f"/fixes/{fix.id}/link/{newcomer}" in suggested
    follow(client, client.post(f"/fixes/{fix.id}/link/{newcomer}"))
    assert newcomer in linked_ids(fix.id)
    assert "the invoice download is broken" not in client.get(f"/fixes/{fix.id}").get_data(as_text=True) \
        .split('id="suggested"')[1].split("</section>")[0]


@pytest.mark.parametrize("data, message", [
    ({"to": "new", "title": "Something", "cost": "2"}, "Tick at least one verbatim"),
    ({"to": "new", "title": "Something", "cost": "9", "response": "{id}"}, "Cost is a whole number from 1"),
    ({"to": "new", "title": "Something", "cost": "two", "response": "{id}"}, "Cost is a whole number from 1"),
    ({"to": "new", "title": "   ", "cost": "2", "response": "{id}"}, "A new fix needs a title."),
    ({"to": "new", "title": "Something", "cost": "2", "response": ["{id}", "999999"]}, "No such verbatim: 999999."),
    ({"to": "new", "title": "Something", "cost": "2", "response": ["{id}", "abc"]}, "Verbatims are chosen by their number."),
    ({"to": "existing", "fix": "999999", "response": "{id}"}, "No such fix: 999999. Nothing was linked."),
    ({"to": "existing", "fix": "", "response": "{id}"}, "Choose the fix to link to."),
    ({"to": "existing", "fix": "Faster exports", "response": "{id}"}, "Choose the fix to link to."),
    ({"to": "existing", "fix": "#" + "9" * 40, "response": "{id}"}, "Choose the fix to link to."),
    ({"to": "elsewhere", "response": "{id}"}, "Choose an existing fix or make a new one."),
    ({"to": "new", "title": "Something", "cost": "2", "type": "no_such_type", "response": "{id}"}, "Not a valid choice"),
])
def test_refused_links_say_why_and_change_nothing(app, client, triager, data, message):
    (response_id,) = answered(app, [(2, "Export is broken", True)])
    existing = fixes.create_fix(FixChange(title="Existing", cost=3), NOW)
    before = counts()
    data = {k: ([x.format(id=response_id) for x in v] if isinstance(v, list) else v.format(id=response_id))
            for k, v in data.items()}
    reply = client.post("/fixes/link?type=functionality", data=data)
    assert reply.headers["Location"].endswith("/triage?type=functionality")
    assert message in follow(client, reply)
    assert counts() == before and linked_ids(existing.id) == set()


# ------------------------------------------------------------------ the grid and the ranked queue

def chart(page):
    svg = re.search(r"<svg .*?</svg>", page, re.S).group()
    root = ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    points = {}
    for link in root.iter(f"{SVG}a"):
        circle, title = link.find(f"{SVG}circle"), link.find(f"{SVG}title")
        fix_id = int(link.get("href").rsplit("/", 1)[1])
        points[fix_id] = (float(circle.get("cx")), float(circle.get("cy")), float(circle.get("r")), title.text)
    return points


def three_fixes(app):
    ids = answered(app, [(0, "sync loses my data", True), (1, "sync is broken", True), (2, "sync fails", True),
                         (3, "sync again", True), (8, "a dark mode please", True), (10, "please add home screen widgets", False)])
    big = fixes.create_fix(FixChange(title="Rewrite sync", cost=5, type_key="reliability"), NOW, response_ids=ids[:4])
    quick = fixes.create_fix(FixChange(title="Dark mode", cost=1, type_key="feature_request"), NOW,
                             response_ids=[ids[4]])
    middle = fixes.create_fix(FixChange(title="Dark mode and widgets", cost=3), NOW, response_ids=ids[4:])
    return big, quick, middle


def test_the_grid_draws_every_fix_as_a_linked_circle_at_its_cost_and_impact(app, client, triager):
    big, quick, middle = three_fixes(app)
    page = client.get("/fixes").get_data(as_text=True)
    points = chart(page)
    assert set(points) == {big.id, quick.id, middle.id}
    placed = {p.fix.id: p for p in fix_queue.ranked_queue(NOW, fix_queue.settings_from(app.config))}
    # x follows cost, y follows impact (SVG y grows downwards), the radius the number of respondents.
    by_cost = sorted(points, key=lambda i: points[i][0])
    assert by_cost == [quick.id, middle.id, big.id]
    by_height = sorted(points, key=lambda i: points[i][1])
    assert by_height == sorted(placed, key=lambda i: -placed[i].impact.value)
    assert placed[big.id].impact.value > placed[middle.id].impact.value > placed[quick.id].impact.value
    assert points[big.id][2] > points[middle.id][2] > points[quick.id][2]
    tooltip = points[big.id][3]
    assert tooltip.startswith(f"Rank {placed[big.id].rank}: Rewrite sync — ") and "cost 5" in tooltip and "respondents 4" in tooltip
    # The ranked list beside it carries the same numbers, in rank order.
    rows = re.findall(r'<tr data-fix="(\d+)">\s*<td>(\d+)</td>', page)
    assert [(int(f), int(r)) for f, r in rows] == sorted(((i, p.rank) for i, p in placed.items()), key=lambda x: x[1])
    assert "do now" in page and "someday" in page and "Quick win" in page


def test_overlapping_fixes_are_nudged_apart_so_each_stays_clickable(app, client, triager):
    ids = answered(app, [(0, "slow", True), (0, "slow too", True)])
    twins = [fixes.create_fix(FixChange(title=f"Twin {n}", cost=2), NOW, response_ids=ids) for n in range(4)]
    points = chart(client.get("/fixes").get_data(as_text=True))
    assert set(points) == {f.id for f in twins}
    circles = list(points.values())
    for i, (x1, y1, r1, _) in enumerate(circles):
        for x2, y2, r2, _ in circles[i + 1:]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** .5 >= r1 + r2 - 0.5


def test_filters_by_status_and_type_apply_to_the_grid_and_the_queue(app, client, triager):
    big, quick, middle = three_fixes(app)
    fixes.update_fix(middle, NOW, FixChange(public_titles={"en": "Done"}, release_note="Done.", news_fallback="en"))
    fixes.change_status(middle, "shipped", NOW)
    def shown(query=""):
        page = client.get(f"/fixes{query}").get_data(as_text=True)
        table = {int(i) for i in re.findall(r'<tr data-fix="(\d+)">', page)}
        assert table == set(chart(page)) if table else True
        return table
    assert shown() == {big.id, quick.id}  # still to do, by default
    assert shown("?status=all") == {big.id, quick.id, middle.id}
    assert shown("?status=shipped") == {middle.id}
    assert shown("?status=all&type=reliability") == {big.id}
    assert shown("?type=pricing") == set()
    assert "No fixes match these filters." in client.get("/fixes?type=pricing").get_data(as_text=True)


def test_no_fixes_yet_explains_how_to_make_one(app, client, triager):
    page = client.get("/fixes").get_data(as_text=True)
    assert "No fixes yet." in page and "tick the verbatims" in page and "<svg" not in page
    assert 'action="/fixes"' in page  # the "New fix" form


def test_new_fix_form_makes_a_fix_or_says_what_is_wrong(app, client, triager):
    reply = client.post("/fixes", data={"title": "", "cost": "7", "type": "", "description": ""})
    assert reply.status_code == 400 and counts() == (0, 0)
    page = reply.get_data(as_text=True)
    assert "This field is required." in page and "Not a valid choice" in page
    reply = client.post("/fixes", data={"title": "Faster search", "cost": "4", "type": "reliability",
                                        "description": "<b>bold</b>"})
    fix = db.session.scalar(select(Fix))
    assert reply.headers["Location"].endswith(f"/fixes/{fix.id}") and (fix.cost, fix.type_key) == (4, "reliability")
    assert "&lt;b&gt;bold&lt;/b&gt;" in client.get(f"/fixes/{fix.id}").get_data(as_text=True)


# ------------------------------------------------------------------ one fix

def test_the_fix_page_shows_the_impact_breakdown_and_the_override(app, client, triager):
    ids = answered(app, [(0, "<script>x</script> sync لا يعمل", True), (9, "sync could be better", True)])
    fix = fixes.create_fix(FixChange(title="Rewrite sync", cost=4), NOW, response_ids=ids)
    placed = fix_queue.placed(fix, NOW, fix_queue.settings_from(app.config))
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert "Impact = 100 × (1 − e^(−E ÷ 8))" in page and "halves every 90 days" in page
    for contribution in placed.impact.contributions:
        assert f"= {contribution.weight:.2f}" in page
    assert "Person 0" in page and "Person 1" in page
    assert '<blockquote dir="auto" lang=' in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert f"Computed from the evidence: {placed.impact.computed:.1f}." in page

    reply = client.post(f"/fixes/{fix.id}/override", data={"impact": "80", "reason": "  "})
    assert reply.status_code == 400 and "This field is required." in reply.get_data(as_text=True)
    assert client.post(f"/fixes/{fix.id}/override", data={"impact": "120", "reason": "x"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Fix, fix.id).impact_override is None
    page = follow(client, client.post(f"/fixes/{fix.id}/override", data={"impact": "80", "reason": "The CEO's biggest account"}))
    assert f"Overridden: 80 instead of the computed {placed.impact.computed:.1f}." in page
    assert "By tri@example.com on 20" in page and "The CEO&#39;s biggest account" in page
    page = follow(client, client.post(f"/fixes/{fix.id}/override/clear"))
    assert "Override cleared" in page and "Overridden:" not in page


def test_editing_the_fix_is_all_or_nothing(app, client, triager):
    fix = fixes.create_fix(FixChange(title="Old title", cost=2), NOW)
    reply = client.post(f"/fixes/{fix.id}/edit", data={"title": "New title", "description": "d", "type": "", "cost": "6"})
    assert reply.status_code == 400
    db.session.expire_all()
    assert (db.session.get(Fix, fix.id).title, db.session.get(Fix, fix.id).cost) == ("Old title", 2)
    follow(client, client.post(f"/fixes/{fix.id}/edit", data={"title": "New title", "description": "Why",
                                                              "type": "pricing", "cost": "5"}))
    db.session.expire_all()
    fix = db.session.get(Fix, fix.id)
    assert (fix.title, fix.description, fix.type_key, fix.cost) == ("New title", "Why", "pricing", 5)


def test_shipping_through_the_ui_emails_each_opted_in_respondent_once_and_shows_who_was_told(app, client, triager):
    ids = answered(app, [(0, "sync broken", True), (2, "sync broken", True), (3, "sync broken", False)])
    fix = fixes.create_fix(FixChange(title="Rewrite sync", cost=4), NOW, response_ids=ids)
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    for move in ("planned", "in_progress", "shipped", "wont_do"):
        assert f'name="status" value="{move}"' in page
    assert 'name="status" value="open"' not in page and "Email the linked respondents who opted in" in page

    page = follow(client, client.post(f"/fixes/{fix.id}/status", data={"status": "shipped"}))
    assert "Not sent, nothing changed. The texts this email needs are missing for recipients who read: English (2)." in page
    db.session.expire_all()
    assert db.session.get(Fix, fix.id).status == "open" and not fix_queries.loop_history(fix)

    follow(client, client.post(f"/fixes/{fix.id}/news-texts", data={"title_en": "Sync keeps up"}))
    follow(client, client.post(f"/fixes/{fix.id}/status", data={"status": "planned", "tell": "y"}))
    follow(client, client.post(f"/fixes/{fix.id}/announce"))  # already told: nobody twice
    follow(client, client.post(f"/fixes/{fix.id}/news-texts", data={"title_en": "Sync keeps up",
                                                                     "note_en": "Sync is rewritten."}))
    page = follow(client, client.post(f"/fixes/{fix.id}/status", data={"status": "shipped"}))
    assert "2 emails queued." in page
    follow(client, client.post(f"/fixes/{fix.id}/status", data={"status": "in_progress"}))
    follow(client, client.post(f"/fixes/{fix.id}/status", data={"status": "shipped"}))
    shipped = db.session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.template == "fix_shipped")).all()
    planned = db.session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.template == "fix_planned")).all()
    assert sorted(shipped) == sorted(planned) == ["p0@example.com", "p1@example.com"]

    deliver_due(utcnow() + timedelta(minutes=1), transport_from_config(app.config), "Acme <f@acme.test>")
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    history = page.split('id="loop"')[1].split("</section>")[0]
    assert history.count("<tr>") == 1 + 4 and history.count('class="status-sent"') == 4
    assert "p2@example.com" not in history and ">en<" in history and ">planned<" in history


def test_legal_moves_only_and_refused_moves_change_nothing(app, client, triager):
    fix = fixes.create_fix(FixChange(title="Dark mode", cost=1), NOW)
    fixes.change_status(fix, "wont_do", NOW)
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert re.findall(r'name="status" value="(\w+)"', page) == ["open"]
    # The page names the statuses as its buttons do (the API and the command line keep the keys: "wont_do").
    assert "A fix cannot go from won&#39;t do to shipped." in follow(client, client.post(f"/fixes/{fix.id}/status",
                                                                                         data={"status": "shipped"}))
    assert "Choose one of the status buttons." in follow(client, client.post(f"/fixes/{fix.id}/status",
                                                                             data={"status": "done"}))
    db.session.expire_all()
    assert db.session.get(Fix, fix.id).status == "wont_do"


def test_unlink_removes_the_evidence(app, client, triager):
    ids = answered(app, [(0, "a", True), (1, "b", True)])
    fix = fixes.create_fix(FixChange(title="Fix", cost=2), NOW, response_ids=ids)
    follow(client, client.post(f"/fixes/{fix.id}/unlink/{ids[0]}"))
    assert linked_ids(fix.id) == {ids[1]}


# ------------------------------------------------------------------ who may do it

def test_viewers_see_everything_but_no_forms_and_get_403_on_every_post(app, client):
    ids = answered(app, [(0, "sync broken", True)])
    fix = fixes.create_fix(FixChange(title="Rewrite sync", cost=4), NOW, response_ids=ids, theme_key=" sync ")
    create_user("view@example.com", PASSWORD, "viewer")
    login(client, "view@example.com")
    for path in ("/fixes", f"/fixes/{fix.id}", "/triage", "/triage/themes"):
        page = client.get(path).get_data(as_text=True)
        assert page.count('method="post"') == 1, path  # only "sign out"
    assert "sync broken" in client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    for path, data in [("/fixes", {"title": "x", "cost": "1"}),
                       ("/fixes/link", {"response": str(ids[0]), "to": "new", "title": "x", "cost": "1"}),
                       (f"/fixes/{fix.id}/edit", {"title": "x", "cost": "1"}),
                       (f"/fixes/{fix.id}/override", {"impact": "1", "reason": "x"}),
                       (f"/fixes/{fix.id}/override/clear", {}), (f"/fixes/{fix.id}/news-texts", {"note_en": "x"}),
                       (f"/fixes/{fix.id}/status", {"status": "planned"}), (f"/fixes/{fix.id}/announce", {}),
                       (f"/fixes/{fix.id}/link/{ids[0]}", {}), (f"/fixes/{fix.id}/unlink/{ids[0]}", {})]:
        assert client.post(path, data=data).status_code == 403, path
    assert counts() == (1, 1)


def test_fix_pages_need_login(client):
    for path in ("/fixes", "/fixes/1"):
        reply = client.get(path)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_every_fix_form_is_refused_without_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("tri@example.com", PASSWORD, "triager")
        ids = answered(app, [(0, "sync broken", True)])
        fix = fixes.create_fix(FixChange(title="Rewrite sync", cost=4), NOW)
        client = app.test_client()
        token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": "tri@example.com", "password": PASSWORD, "csrf_token": token})
        page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
        assert page.count('name="csrf_token"') == page.count('method="post"')  # every form carries one
        for path in ("/fixes", "/fixes/link", f"/fixes/{fix.id}/edit", f"/fixes/{fix.id}/override",
                     f"/fixes/{fix.id}/status", f"/fixes/{fix.id}/link/{ids[0]}", f"/fixes/{fix.id}/news-texts"):
            assert client.post(path, data={"title": "x", "cost": "1", "response": str(ids[0]), "to": "existing",
                                           "fix": str(fix.id), "status": "planned", "note_en": "x"}).status_code == 400, path
        assert counts() == (1, 0)
        db.session.expire_all()
        assert db.session.get(Fix, fix.id).status == "open" and db.session.get(Fix, fix.id).release_notes == {}


def test_the_themes_page_is_paged_largest_groups_first(app, client, triager, monkeypatch):
    monkeypatch.setattr("triage.verbatims.views.THEMES_PER_PAGE", 2)
    answered(app, [(2, "invoice download broken", True), (1, "invoice download broken again", True),
                   (3, "password reset email never arrives", False), (4, "password reset email missing", True),
                   (5, "dark mode please", True), (6, "calendar sync duplicates events", True)])
    first = client.get("/triage/themes").get_data(as_text=True)
    second = client.get("/triage/themes?page=2").get_data(as_text=True)
    shown = [re.findall(r'name="theme" value="([^"]+)"', page) for page in (first, second)]
    assert len(shown[0]) == 2 and shown[1] and not set(shown[0]) & set(shown[1])
    assert 'rel="next"' in first and 'rel="prev"' not in first and 'rel="prev"' in second
    groups = listing.theme_groups(listing.Filters(), limit=10)
    assert [g.key for g in groups][:2] == shown[0]  # largest first
    for page in ("99", "0", "two", "9" * 40):
        assert client.get(f"/triage/themes?page={page}").status_code == 404
