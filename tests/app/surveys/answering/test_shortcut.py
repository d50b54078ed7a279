"""The survey page GET is what every click in an email opens: one statement, and the form rendered once
per survey, language and state — served to each link with its own token, never with someone else's
words in it, and never stale (wording, closing, answers show at once)."""
from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event

from feedback_app.core.extensions import db
from surveys.answering.links import survey_url
from surveys.answering.shortcut import LinkClickShortcut
from surveys.asking.services import close_survey, update_wording
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
    update_wording(survey, wording)
    page = client.get(path).get_data(as_text=True)
    assert "Would you recommend Acme?" in page and 'data-autosave="1"' in page
    client.post(survey_path(app, invitation), data={"score": "7", "comment": ""})
    answered = client.get(path).get_data(as_text=True)
    assert 'data-autosave="1"' not in answered and "Update my answer" in answered  # 7 is saved already
    close_survey(survey, NOW)
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


# ------------------------------------------------------------- beneath Flask: surveys.answering.shortcut

def flask_alone(app):
    """A client of the same app without the shortcut in front: what Flask itself answers."""
    from werkzeug.test import Client

    layer = app.wsgi_app
    while not isinstance(layer, LinkClickShortcut):
        layer = layer.app  # werkzeug's ProxyFix, when proxies are trusted
    return Client(layer.wsgi_app)


def views_run(app, request):
    """(how many requests reached Flask's hooks and views, what `request` returned)."""
    reached = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: reached.append(1))
    try:
        result = request()
    finally:
        app.before_request_funcs[None].pop(0)
    return len(reached), result


CLICKS = ("", "?score=0", "?score=1", "?score=5", "?score=7", "?score=10", "?score=11", "?score=99")


@pytest.mark.parametrize("kind", ["nps", "csat", "ces"])
@pytest.mark.parametrize("base_url", ["http://survey.test", "https://feedback.example.com/team"])
def test_the_shortcut_answers_a_click_byte_for_byte_as_flask_does(app_factory, kind, base_url):
    app = app_factory(BASE_URL=base_url)
    script_root = urlsplit(base_url).path
    with app.app_context():
        _, invitations = sent_survey(app, kind=kind, customers=PEOPLE + (("dara@example.com", "دارا", "fa"),))
        paths = [survey_url(invitation).removeprefix(base_url) for invitation in invitations]
    client, flask = app.test_client(), flask_alone(app)
    base = "http://localhost" + script_root
    for link in (path + click for path in paths for click in CLICKS):
        first = client.get(link, base_url=base)  # Flask renders the page and keeps it
        reached, again = views_run(app, functools.partial(client.get, link, base_url=base))
        alone = flask.get(link, base_url=base)
        assert reached == 0  # served beneath Flask
        assert again.status_code == alone.status_code == first.status_code == 200
        assert again.headers.to_wsgi_list() == alone.headers.to_wsgi_list(), link
        assert again.data == alone.data == first.data, link
    assert ("Strict-Transport-Security" in again.headers) is base_url.startswith("https")


def test_the_shortcut_answers_only_a_kept_page_of_an_open_unanswered_link(app, client):
    survey, (ana, bob) = sent_survey(app, customers=PEOPLE[:2])
    ana_path, bob_path = survey_path(app, ana, 9), survey_path(app, bob, 9)
    assert views_run(app, lambda: client.get(ana_path))[0] == 1     # the first rendering is Flask's
    assert views_run(app, lambda: client.get(bob_path))[0] == 0     # the same page, kept: beneath Flask
    assert views_run(app, lambda: client.head(bob_path))[0] == 1    # HEAD, and any other method, is Flask's
    for other in (bob_path + "&utm=x", bob_path.replace("score=9", "score=x"), bob_path + "/thanks",
                  bob_path[:-8] + "X" + bob_path[-7:]):              # another query, page, a forged token
        assert views_run(app, lambda other=other: client.get(other))[0] == 1, other
    client.post(survey_path(app, bob), data={"score": "9", "comment": ""})
    reached, answered = views_run(app, lambda: client.get(bob_path))
    assert reached == 1 and b"Update my answer" in answered.data  # answered: Flask decides
    close_survey(survey, NOW)
    reached, closed = views_run(app, lambda: client.get(ana_path))
    assert reached == 1 and closed.status_code == 410


def test_a_page_kept_for_one_address_prefix_is_never_served_under_another(app, client):
    _, (ana, bob) = sent_survey(app, customers=PEOPLE[:2])
    for root in ("", "/feedback", "/other"):
        for invitation in (ana, bob):
            path = survey_path(app, invitation, 9)
            page = client.get(path, base_url="http://localhost" + root).data
            assert form_action(page) == root + path.split("?")[0]


def test_a_miss_reads_the_page_once_for_the_shortcut_and_the_view(app, client):
    _, invitations = sent_survey(app, customers=PEOPLE)
    for invitation in invitations:  # the first of each language renders (a miss), the others are kept
        assert len(statements_of(app, lambda invitation=invitation: client.get(survey_path(app, invitation)))) == 1
