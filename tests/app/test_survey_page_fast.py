"""The survey page GET is what every click in an email opens: one statement, and the form rendered once
per survey, language and state — served to each link with its own token, never with someone else's
words in it, and never stale (wording, closing, answers show at once)."""
from __future__ import annotations

import re

from sqlalchemy import event

from feedback_app.extensions import db
from surveys import services
from tests.support.factories import NOW, sent_survey, survey_path

PEOPLE = (("ana@example.com", "Ana", "en"), ("bob@example.com", "Bob", "en"), ("sara@example.com", "سارة", "ar"))


def form_action(page: bytes) -> str:
    return re.search(rb'<form method="post" action="([^"]+)"', page).group(1).decode()


def statements_of(app, request) -> list[str]:
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_each_link_gets_the_page_with_its_own_token_in_one_statement(app, client):
    survey, invitations = sent_survey(app, customers=PEOPLE)
    paths = [survey_path(app, invitation, 9) for invitation in invitations]
    pages = {}
    for path in paths + paths:  # the second time round, every page is served from what was rendered
        counted = statements_of(app, lambda path=path: pages.__setitem__(path, client.get(path)))
        assert len(counted) == 1, counted
    for path, page in pages.items():
        assert page.status_code == 200 and form_action(page.data) == path.split("?")[0]
    ana, bob, sara = (pages[path].data for path in paths)
    assert ana.replace(paths[0].split("?")[0].encode(), b"") == bob.replace(paths[1].split("?")[0].encode(), b"")
    assert 'dir="rtl"' in sara.decode() and "٩" in sara.decode()


def test_a_page_with_the_respondents_words_is_theirs_alone(app, client):
    _, (ana, bob) = sent_survey(app, customers=PEOPLE[:2])
    client.post(survey_path(app, ana), data={"score": "4", "comment": "Ana's own words", "may_contact": "1"})
    client.post(survey_path(app, bob), data={"score": "4", "comment": ""})
    ana_page = client.get(survey_path(app, ana)).get_data(as_text=True)
    bob_page = client.get(survey_path(app, bob)).get_data(as_text=True)
    assert "Ana&#39;s own words" in ana_page and "Ana" not in bob_page.replace("Answer", "")
    assert 'id="may_contact" name="may_contact" value="1" checked' in ana_page
    assert "Update my answer" in ana_page and "Update my answer" in bob_page


def test_wording_edits_closing_and_answers_show_at_once(app, client):
    survey, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation, 7)
    assert "How likely are you" in client.get(path).get_data(as_text=True)
    wording = {locale: dict(texts) for locale, texts in survey.wording.items()}
    wording["en"]["question"] = "Would you recommend Acme?"
    services.update_wording(survey, wording)
    page = client.get(path).get_data(as_text=True)
    assert "Would you recommend Acme?" in page and 'data-autosave="1"' in page
    client.post(survey_path(app, invitation), data={"score": "7", "comment": ""})
    answered = client.get(path).get_data(as_text=True)
    assert 'data-autosave="1"' not in answered and "Update my answer" in answered  # 7 is saved already
    services.close_survey(survey, NOW)
    closed = client.get(path)
    assert closed.status_code == 410 and b"closed" in closed.data


def test_the_thank_you_page_reads_one_statement_too(app, client):
    _, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation)
    assert client.get(path + "/thanks").status_code == 302  # nothing saved yet: back to the form
    client.post(path, data={"score": "9"})
    replies = []
    assert len(statements_of(app, lambda: replies.append(client.get(path + "/thanks")))) == 1
    assert replies[0].status_code == 200 and b"Change my answer" in replies[0].data
