"""The thank-you page's follow-up step: shown only in a language the team wrote it in, a link that opens the
team's address, a second question answered once per response (never by a GET), and the command that sets it."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.asking.services import close_survey, set_thanks_step
from surveys.models import Survey, ThanksAnswer
from surveys.scales.thanks_step import LINK, MAX_ANSWER, QUESTION, checked_step
from tests.support.factories import NOW, sent_survey, survey_path

PEOPLE = (("ana@example.com", "Ana", "en"), ("reza@example.com", "رضا", "fa"), ("layla@example.com", "ليلى", "ar"))
REVIEW = "https://reviews.example.com/acme?from=thanks"
QUESTION_EN = "What one thing should we build next?"
QUESTION_FA = "چه چیزی را بعد از این بسازیم؟"


def second_answers() -> list[tuple]:
    return db.session.execute(select(ThanksAnswer.response_id, ThanksAnswer.text, ThanksAnswer.locale,
                                     ThanksAnswer.question).order_by(ThanksAnswer.response_id)).all()


def answered(client, app, invitation, score="9") -> str:
    """The survey answered through its page: the thank-you page's path."""
    path = survey_path(app, invitation)
    reply = client.post(path, data={"score": score, "comment": "nice"})
    assert reply.status_code == 303
    return f"{path}/thanks"


def test_without_a_step_the_thank_you_page_is_as_before(app, client):
    _, (invitation, *_) = sent_survey(app, customers=PEOPLE)
    page = client.get(answered(client, app, invitation)).get_data(as_text=True)
    assert "Thank you!" in page and "Change my answer" in page
    assert 'id="thanks-step"' not in page and "<form" not in page and "<textarea" not in page


def test_a_link_step_shows_in_english_and_not_on_a_persian_page_without_persian_text(app, client):
    survey, (ana, reza, layla) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(LINK, {"en": "Leave us a review", "ar": "اكتب لنا مراجعة"}, REVIEW))
    english = client.get(answered(client, app, ana)).get_data(as_text=True)
    link = re.search(r'<a [^>]*id="thanks-link"[^>]*>([^<]*)</a>', english)
    assert link and link.group(1) == "Leave us a review"
    assert 'href="https://reviews.example.com/acme?from=thanks"' in link.group(0)
    assert 'rel="noopener noreferrer"' in link.group(0)
    persian = client.get(answered(client, app, reza)).get_data(as_text=True)
    assert 'id="thanks-step"' not in persian and "reviews.example.com" not in persian
    assert "Leave us a review" not in persian and 'dir="rtl"' in persian  # no English sentence on an RTL page
    arabic = client.get(answered(client, app, layla)).get_data(as_text=True)
    assert "اكتب لنا مراجعة" in arabic and 'dir="rtl"' in arabic and "Leave us a review" not in arabic
    assert second_answers() == []  # a link is never "answered"


def test_a_question_is_answered_once_and_the_page_then_thanks_them(app, client):
    survey, (ana, reza, _) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": QUESTION_EN, "fa": QUESTION_FA}))
    thanks = answered(client, app, ana)
    page = client.get(thanks).get_data(as_text=True)
    assert f'<label for="second-answer">{QUESTION_EN}</label>' in page
    assert f'action="{thanks}"' in page
    reply = client.post(thanks, data={"answer": "  Bulk export\r\nplease  "})
    assert reply.status_code == 303 and reply.headers["Location"].endswith(thanks)
    (stored,) = second_answers()
    assert stored == (ana.response.id, "Bulk export\nplease", "en", QUESTION_EN)
    after = client.get(thanks).get_data(as_text=True)
    assert "Thank you for your answer." in after and "<textarea" not in after

    again = client.post(thanks, data={"answer": "something else"})  # a second tab, a double click
    assert again.status_code == 409
    assert "We already have your answer to this question: nothing was changed." in again.get_data(as_text=True)
    assert second_answers() == [stored]

    persian = answered(client, app, reza)  # the Persian page asks in Persian, right to left
    page = client.get(persian).get_data(as_text=True)
    assert QUESTION_FA in page and QUESTION_EN not in page and 'dir="rtl"' in page
    assert client.post(persian, data={"answer": "گزارش گروهی"}).status_code == 303
    assert [row[1:3] for row in second_answers()] == [("Bulk export\nplease", "en"), ("گزارش گروهی", "fa")]


def test_an_oversized_or_empty_answer_is_refused_with_a_clear_message_and_nothing_stored(app, client):
    survey, (ana, *_) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": QUESTION_EN}))
    thanks = answered(client, app, ana)
    typed = "x" * (MAX_ANSWER + 3)
    reply = client.post(thanks, data={"answer": typed})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    # 2,003 characters: 3 over the limit of 2,000, said in the page's digits, and what was typed is kept.
    assert "Not sent: your answer is 3 characters over the limit of 2,000." in page
    assert f">{typed}</textarea>" in page and 'aria-invalid="true"' in page
    empty = client.post(thanks, data={"answer": " \r\n "})
    assert empty.status_code == 422 and "Write your answer first" in empty.get_data(as_text=True)
    assert second_answers() == []
    exactly = client.post(thanks, data={"answer": "y" * MAX_ANSWER})  # at the limit: kept
    assert exactly.status_code == 303 and len(second_answers()[0][1]) == MAX_ANSWER


def test_a_forged_token_is_not_found_and_a_get_writes_nothing(app, client):
    survey, (ana, *_) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": QUESTION_EN}))
    thanks = answered(client, app, ana)
    token = thanks.split("/")[2]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/s/{forged}/thanks", data={"answer": "hello"}).status_code == 404
    assert client.get(f"/s/{forged}/thanks").status_code == 404
    for method in ("GET", "HEAD", "OPTIONS"):
        assert client.open(thanks, method=method, data={"answer": "hello"}).status_code == 200
    assert second_answers() == []


def test_before_an_answer_and_after_closing_nothing_is_stored(app, client):
    survey, (ana, reza, _) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": QUESTION_EN}))
    not_yet = survey_path(app, ana) + "/thanks"
    reply = client.post(not_yet, data={"answer": "hello"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith(survey_path(app, ana))
    thanks = answered(client, app, ana)
    no_question = answered(client, app, reza)  # Persian: the question has no Persian text
    assert client.post(no_question, data={"answer": "سلام"}).status_code == 303
    close_survey(survey, NOW + timedelta(hours=1))
    assert "<textarea" not in client.get(thanks).get_data(as_text=True)
    assert client.post(thanks, data={"answer": "hello"}).status_code == 410
    assert second_answers() == []


def test_the_step_shows_after_a_score_saved_by_the_page_script_alone(app, client):
    """The one click from the email: the page's script saves the score (score_only), and the thank-you page
    reached from there offers the step too."""
    survey, (ana, *_) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": QUESTION_EN}))
    path = survey_path(app, ana)
    assert client.post(path, data={"score": "10", "score_only": "1"}).get_json() == {"saved": True}
    page = client.get(f"{path}/thanks").get_data(as_text=True)
    assert QUESTION_EN in page and 'id="thanks-form"' in page


def test_the_command_sets_shows_refuses_and_clears_the_step(app):
    survey, _ = sent_survey(app, customers=PEOPLE[:1])
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["surveys", "thanks-step", str(survey.id), *args])

    result = run("--link", REVIEW, "--text", "Leave us a review", "--text", "ar=اكتب لنا مراجعة")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"link {REVIEW}", "en\tLeave us a review", "ar\tاكتب لنا مراجعة",
                                          "fa\t(none: not shown on Persian pages)"]
    kept = db.session.get(Survey, survey.id).thanks_step
    for bad, message in ((("--link", "javascript:alert(1)", "--text", "x"), "not a full http:// or https://"),
                         (("--link", "https://you.example@evil.example", "--text", "x"), "not a full http"),
                         (("--question", "--text", "q" * 301), "at most 300"),
                         (("--question", "--text", "xx:hello"), "unknown language 'xx'"),
                         (("--question", "--text", "de=Was noch?"), "unknown language 'de'"),
                         (("--question",), "give the step's text"),
                         (("--text", "hello"), "--text needs --link URL or --question"),
                         (("--question", "--link", REVIEW, "--text", "x"), "not both"),
                         (("--clear", "--question"), "--clear takes no other option")):
        result = run(*bad)
        assert result.exit_code != 0 and message in result.output, (bad, result.output)
        db.session.expire_all()
        assert db.session.get(Survey, survey.id).thanks_step == kept, bad  # bad input changes nothing
    result = run("--question", "--text", f"en:{QUESTION_EN}")
    assert result.exit_code == 0 and result.output.splitlines()[:2] == ["question", f"en\t{QUESTION_EN}"]
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).thanks_step == {"kind": "question", "texts": {"en": QUESTION_EN}}
    assert run().output.splitlines()[0] == "question"  # no option: shows it
    result = run("--clear")
    assert result.exit_code == 0 and result.output.strip() == "No follow-up step: the thank-you page offers none."
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).thanks_step is None
    assert runner.invoke(args=["surveys", "thanks-step", "999999"]).exit_code != 0


def test_the_refusal_on_a_persian_page_is_persian_with_persian_digits(app, client):
    survey, (_, reza, _) = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"fa": QUESTION_FA}))
    reply = client.post(answered(client, app, reza), data={"answer": "ب" * (MAX_ANSWER + 12)})
    page = reply.get_data(as_text=True)
    # 2,012 characters: 12 over the limit of 2,000, both in Persian digits and in a Persian sentence.
    assert reply.status_code == 422
    assert "ارسال نشد: پاسخ شما ۱۲ نویسه از حد مجاز ۲۰۰۰ نویسه بیشتر است." in page
    assert "Not sent" not in page and second_answers() == []
