"""The thank-you page's step on the survey's team page: set, refused with a reason beside the field (nothing
changed), removed; the second answers counted and the newest listed, and beside the comment they follow."""
from __future__ import annotations

from datetime import timedelta

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.asking import results
from surveys.asking.services import set_thanks_step
from surveys.models import Survey
from surveys.scales.answers import Answer
from surveys.scales.thanks_step import QUESTION, checked_step
from tests.support.factories import NOW, sent_survey

REVIEW = "https://reviews.example.com/acme"


def login(client, role):
    create_user(f"{role}@example.com", "long-enough-password", role)
    client.post("/login", data={"email": f"{role}@example.com", "password": "long-enough-password"})


def form(kind="link", url=REVIEW, **texts):
    return {"kind": kind, "url": url, **{f"text_{locale}": text for locale, text in texts.items()}}


def stored(survey_id):
    db.session.expire_all()
    return db.session.get(Survey, survey_id).thanks_step


def test_a_triager_sets_a_link_sees_refusals_beside_the_fields_and_removes_it(app, client):
    survey, _ = sent_survey(app)
    login(client, "triager")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "The thank-you page offers no follow-up step." in page and 'name="text_fa"' in page
    reply = client.post(f"/surveys/{survey.id}/thanks-step", data=form(en="Leave us a review", ar="اكتب لنا مراجعة"))
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#thanks-step")
    assert stored(survey.id) == {"kind": "link", "url": REVIEW,
                                 "texts": {"en": "Leave us a review", "ar": "اكتب لنا مراجعة"}}
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "After the answer, the thank-you page offers a link:" in page and f">{REVIEW}</a>" in page
    assert "Clicks on the link are not counted" in page and "none: pages in this language show no step" in page

    kept = stored(survey.id)
    for data, message in ((form(url="javascript:alert(1)", en="x"), "starting with http:// or https://"),
                          (form(url="https://a.example/" + "p" * 500, en="x"), "longer than 500 characters"),
                          (form(kind="question", url="", fa="س" * 301), "At most 300 characters."),
                          (form(kind="question", url="", en="  "), "Write it in at least one language"),
                          (form(kind="poll", en="x"), "Not a valid choice")):
        reply = client.post(f"/surveys/{survey.id}/thanks-step", data=data)
        page = reply.get_data(as_text=True)
        assert reply.status_code == 422 and message in page, (data, page[:200])
        assert "<details open>" in page and stored(survey.id) == kept  # shown where it is; nothing changed
    assert client.post(f"/surveys/{survey.id}/thanks-step", data=form(kind="none", url="")).status_code == 302
    assert stored(survey.id) is None


def test_a_viewer_may_not_change_it(app, client):
    survey, _ = sent_survey(app)
    login(client, "viewer")
    assert "Change the thank-you page" not in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    reply = client.post(f"/surveys/{survey.id}/thanks-step", data=form(kind="question", url="", en="Why?"))
    assert reply.status_code == 403 and stored(survey.id) is None


def test_the_second_answers_are_counted_listed_newest_first_and_shown_beside_the_comment(app, client, monkeypatch):
    people = [(f"p{n}@example.com", f"Person {n}", "en") for n in range(4)]
    survey, invitations = sent_survey(app, customers=people)
    set_thanks_step(survey, checked_step(QUESTION, {"en": "What next?"}))
    for n, invitation in enumerate(invitations):
        record_answer(signed_invitation(invitation), Answer(n + 6, f"comment {n}", False), NOW, timedelta(hours=24))
        if n:  # three of the four answer the second question, a minute apart
            record_second_answer(invitation.response.id, survey.id, "What next?", f"second {n}", "en",
                                 NOW + timedelta(minutes=n))
    monkeypatch.setattr(results, "LATEST_SECOND_ANSWERS", 2)
    login(client, "viewer")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "3 answers to the second question." in page and "The newest 2:" in page
    listed = page[page.index('class="verbatims second-answers"'):]
    assert listed.index("second 3") < listed.index("second 2") and "second 1" not in listed
    assert "asked: <bdi" in listed and "Person 3" in listed
    beside = page[page.index("What people wrote"):page.index('id="thanks-step"')]
    assert '<span class="hint">Second answer:</span> <bdi dir="auto">second 1</bdi>' in beside
    assert results.second_answers(survey.id).count == 3
