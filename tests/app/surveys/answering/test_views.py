import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from surveys.answering.links import SignedInvitation, invitation_token, signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import close_survey
from surveys.models import Response
from tests.support.factories import NOW, sent_survey, survey_path


def responses():
    return db.session.scalars(select(Response)).all()


def test_get_with_a_score_preselects_it_and_writes_nothing(app, client):
    _, (invitation,) = sent_survey(app)
    page = client.get(survey_path(app, invitation, 9))
    assert page.status_code == 200
    assert re.search(rb'value="9"\s+checked', page.data)
    assert b'data-autosave="1"' in page.data
    assert responses() == []


def test_post_stores_score_comment_and_consent_once(app, client):
    _, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation)
    reply = client.post(path, data={"score": "9", "comment": "Fast <b>and</b> simple", "may_contact": "1"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/thanks")
    (response,) = responses()
    assert (response.score, response.comment, response.may_contact) == (9, "Fast <b>and</b> simple", True)
    assert response.consent_at is not None and response.locale == "en"
    thanks = client.get(reply.headers["Location"])
    assert b"Thank you" in thanks.data


def test_double_submit_and_retries_keep_one_response(app, client):
    _, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation)
    for _ in range(3):
        client.post(path, data={"score": "6", "comment": "slow exports"})
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_concurrent_submits_from_two_tabs_keep_one_response(app_factory):
    app = app_factory()
    with app.app_context():
        _, (invitation,) = sent_survey(app)
        path = survey_path(app, invitation)
    barrier = threading.Barrier(4)
    codes = []

    def submit(score):
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(path, data={"score": str(score)}).status_code)

    threads = [threading.Thread(target=submit, args=(s,)) for s in (3, 4, 5, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 4
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_script_autosave_keeps_an_existing_comment(app, client):
    _, (invitation,) = sent_survey(app)
    path = survey_path(app, invitation)
    client.post(path, data={"score": "4", "comment": "billing is confusing", "may_contact": "1"})
    reply = client.post(path, data={"score": "5", "score_only": "1"})
    assert reply.get_json() == {"saved": True}
    (response,) = responses()
    assert (response.score, response.comment, response.may_contact) == (5, "billing is confusing", True)


def test_invalid_score_returns_the_form_with_the_typed_text_and_stores_nothing(app, client):
    _, (invitation,) = sent_survey(app)
    reply = client.post(survey_path(app, invitation), data={"score": "11", "comment": "my reasons, kept"})
    assert reply.status_code == 422
    assert b"Choose a score from 0 to 10" in reply.data and b"my reasons, kept" in reply.data
    assert responses() == []


def test_an_oversized_comment_is_kept_in_the_form_and_the_message_says_what_was_saved(app, client):
    """A valid score beside a comment over the limit: the score is stored (once, as the page's script
    stores it), the comment and the consent are not, and the page says so, with how far over it is."""
    _, (invitation,) = sent_survey(app)
    comment = "x" * 4999 + "\r\n" + "y" * 120  # 5,120 characters as stored (CRLF counts as one)
    for _attempt in range(2):  # sent twice (a double submit): still one response
        reply = client.post(survey_path(app, invitation), data={"score": "8", "comment": comment, "may_contact": "1"})
        page = reply.get_data(as_text=True)
        assert reply.status_code == 422 and "y" * 120 in page
        assert "Your score (8) is saved, but your comment is not: it is 120 characters over the limit of 5,000." in page
        assert "Whether we may contact you is not saved yet either." in page
        assert "5,120 / 5,000 characters" in page
    (response,) = responses()
    assert (response.score, response.comment, response.may_contact) == (8, "", False)


def test_an_oversized_comment_without_a_valid_score_saves_nothing_and_says_so(app, client):
    _, (ana, bob) = sent_survey(app, customers=(("ana@example.com", "Ana", "en"), ("bob@example.com", "بوب", "ar")))
    reply = client.post(survey_path(app, ana), data={"score": "", "comment": "x" * 5001})
    assert reply.status_code == 422
    assert b"Nothing was saved: your comment is 1 character over the limit of 5,000." in reply.data
    arabic = client.post(survey_path(app, bob), data={"score": "11", "comment": "ب" * 5002}).get_data(as_text=True)
    assert "٥٠٠٠" in arabic and "٢" in arabic and "Nothing" not in arabic
    assert responses() == []


def test_an_oversized_comment_after_an_earlier_comment_keeps_the_earlier_one(app, client):
    _, (invitation,) = sent_survey(app)
    client.post(survey_path(app, invitation), data={"score": "3", "comment": "slow exports"})
    reply = client.post(survey_path(app, invitation), data={"score": "6", "comment": "z" * 5003})
    assert reply.status_code == 422 and b"Your score (6) is saved" in reply.data and b"3 characters over" in reply.data
    (response,) = responses()
    assert (response.score, response.comment) == (6, "slow exports")


def test_forged_and_unknown_tokens_get_a_friendly_404(app, client):
    _, (invitation,) = sent_survey(app)
    good = survey_path(app, invitation)
    for path in (good[:-2] + "zz", "/s/not-a-token", "/s/" + invitation_token(SignedInvitation(999999, 1, "nps", "en"))):
        page = client.get(path)
        assert page.status_code == 404 and b"could not find" in page.data
        assert client.post(path, data={"score": "5"}).status_code == 404
    assert responses() == []


def test_a_link_in_a_language_the_survey_does_not_ask_in_is_not_found(app, client):
    """Only a survey changed past the use cases can have one (a send refuses such languages): a 404, never a
    page in another language or a 500, by the page, the shortcut beneath Flask and the form's errors."""
    survey, (invitation,) = sent_survey(app, "ces", task={"en": "export a report"})
    assert "fa" not in survey.wording
    invitation.locale = "fa"
    db.session.commit()
    for score in (None, 3):
        assert client.get(survey_path(app, invitation, score)).status_code == 404
    assert client.post(survey_path(app, invitation), data={"score": "99"}).status_code == 404
    assert responses() == []


def test_closed_survey_shows_a_friendly_page_and_takes_no_answer(app, client):
    survey, (invitation,) = sent_survey(app)
    assert client.post(survey_path(app, invitation), data={"score": "5", "score_only": "1"}).status_code == 200
    close_survey(survey, NOW)
    # This process learns of it within CLOSED_REFRESH seconds; closing from the team page is at once.
    from surveys.answering.services import forget_closed_surveys
    forget_closed_surveys()
    assert b"closed" in client.get(survey_path(app, invitation, 5)).data
    assert client.post(survey_path(app, invitation), data={"score": "9", "comment": "late"}).status_code == 410
    (response,) = responses()
    assert (response.score, response.comment) == (5, "")


def test_answer_can_change_within_the_window_then_is_locked(app, client):
    _, (invitation,) = sent_survey(app)
    from surveys.scales.answers import Answer
    window = timedelta(hours=24)
    assert record_answer(signed_invitation(invitation), Answer(3, "meh", False), NOW, window) == "created"
    later = NOW + timedelta(hours=23)
    assert record_answer(signed_invitation(invitation), Answer(8, "better now", True), later, window) == "updated"
    too_late = NOW + timedelta(hours=25)
    assert record_answer(signed_invitation(invitation), Answer(0, "changed", False), too_late, window) == "locked"
    (response,) = responses()
    assert (response.score, response.comment, response.may_contact) == (8, "better now", True)


def test_arabic_and_persian_pages_are_right_to_left_with_native_digits(app, client):
    _, invitations = sent_survey(app, customers=(("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa")))
    arabic = client.get(survey_path(app, invitations[0])).get_data(as_text=True)
    persian = client.get(survey_path(app, invitations[1])).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in arabic and "ما مدى احتمال أن ترشّح Acme" in arabic and ">١٠<" in arabic
    assert 'lang="fa" dir="rtl"' in persian and "چقدر احتمال دارد" in persian and ">۱۰<" in persian


def test_verbatim_is_stored_exactly_and_shown_escaped(app, client):
    _, (invitation,) = sent_survey(app)
    text = "<script>alert('x')</script> 👍  مرسی\n\tend"
    client.post(survey_path(app, invitation), data={"score": "7", "comment": text})
    assert responses()[0].comment == text


def test_thank_you_and_error_messages_are_in_the_respondents_language(app, client):
    _, invitations = sent_survey(app, customers=(("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa")))
    arabic, persian = (survey_path(app, i) for i in invitations)
    invalid = client.post(persian, data={"score": "11"}).get_data(as_text=True)
    assert "۰" in invalid and "۱۰" in invalid and "Choose a score" not in invalid
    thanks = client.get(client.post(arabic, data={"score": "10"}).headers["Location"]).get_data(as_text=True)
    assert 'lang="ar"' in thanks and "Thank you" not in thanks and "شكر" in thanks


def test_respondents_get_no_cookie(app, client):
    _, (invitation,) = sent_survey(app)
    page = client.get(survey_path(app, invitation, 7))
    saved = client.post(survey_path(app, invitation), data={"score": "7"})
    assert "Set-Cookie" not in page.headers and "Set-Cookie" not in saved.headers


def test_the_posts_driver_insert_stores_what_the_orm_would(app, client):
    """The survey POST writes through the driver (db_helpers.DriverStatement): the stored values, as the
    database holds them (SQLite: text dates, integer booleans), must be those an ORM insert stores."""
    survey, (by_post, by_orm) = sent_survey(app, customers=(("ana@example.com", "Ana", "en"),
                                                           ("bob@example.com", "Bob", "en")))
    client.post(survey_path(app, by_post), data={"score": "3", "comment": "Too slow", "may_contact": "1"})
    stored = db.session.get(Response, db.session.scalar(select(Response.id)))
    db.session.add(Response(invitation_id=by_orm.id, survey_id=survey.id, score=3, comment="Too slow",
                            may_contact=True, consent_at=stored.consent_at, locale="en",
                            answered_at=stored.answered_at, updated_at=stored.updated_at))
    db.session.commit()
    columns = ("survey_id, channel, score, comment, may_contact, consent_at, locale, answered_at, updated_at, "
               "pending, tallied, tallied_score, awaits_contact, customer_id, kind")
    rows = db.session.connection().exec_driver_sql(
        f"SELECT {columns} FROM response ORDER BY invitation_id").all()
    assert len(rows) == 2 and rows[0] == rows[1]
    assert rows[0][9] in (True, 1) and rows[0][1] == "survey"  # waiting for the sweep; the server default
