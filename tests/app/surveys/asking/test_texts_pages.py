"""A survey's texts per language on the team's pages: the new-survey form, the wording page, the send page."""
import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.asking.services import create_survey
from surveys.models import Invitation, Survey
from tests.support.factories import add_customers


@pytest.fixture
def team(app, client):
    create_user("lead@example.com", "long-enough-password", "triager")
    client.post("/login", data={"email": "lead@example.com", "password": "long-enough-password"})
    return client


def page(client, path: str) -> str:
    reply = client.get(path)
    assert reply.status_code == 200, path
    return reply.get_data(as_text=True)


def wording(survey_id: int) -> dict:
    db.session.expire_all()
    return db.session.get(Survey, survey_id).wording


def sent() -> int:
    return db.session.scalar(select(func.count(Invitation.id))) + db.session.scalar(select(func.count(OutboxEmail.id)))


def test_the_form_has_a_field_per_language_rtl_for_arabic_and_persian_and_a_preview(team):
    html = page(team, "/surveys/new")
    for name in ("subject", "task"):
        assert f'name="{name}_en"' in html
        for locale in ("ar", "fa"):
            assert f'dir="rtl" id="{name}_{locale}" lang="{locale}" maxlength="100" name="{name}_{locale}"' in html
    assert "survey_texts.js" in html and 'data-templates="{' in html
    # Without script: the server's preview of the default NPS question, in each language.
    assert "How likely are you to recommend our product to a friend or colleague?" in html
    assert "ما مدى احتمال أن ترشّح منتجنا لصديق أو زميل؟" in html


def test_a_new_ces_survey_with_tasks_per_language_is_worded_in_each(team):
    reply = team.post("/surveys/new", data={"kind": "ces", "name": "Export", "product": "Acme Board",
                                            "task_en": "export a report", "task_ar": "تصدير تقرير",
                                            "task_fa": "گرفتن گزارش", "subject_en": "ignored: not a CSAT"})
    survey = db.session.scalar(select(Survey))
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/surveys/{survey.id}/wording")
    assert {locale: texts["question"] for locale, texts in survey.wording.items()} == {
        "en": "Acme Board made it easy for me to export a report.",
        "ar": "كان من السهل عليّ تصدير تقرير باستخدام Acme Board.",
        "fa": "با Acme Board، گرفتن گزارش برایم آسان بود."}


def test_a_language_left_empty_gets_no_question_and_the_pages_say_so(team):
    team.post("/surveys/new", data={"kind": "csat", "name": "Delivery", "subject_en": "your delivery",
                                    "subject_ar": "التوصيل"})
    survey = db.session.scalar(select(Survey))
    assert set(survey.wording) == {"en", "ar"}
    shown = page(team, f"/surveys/{survey.id}/wording")
    assert "Survey created with no question in Persian (fa)" in shown
    assert "No question in this language yet" in shown and 'placeholder="دلیل اصلی امتیاز شما چیست؟"' in shown
    results = page(team, f"/surveys/{survey.id}")
    assert "No question in Persian (fa): customers who speak it are not sent this survey." in results
    assert "How satisfied are you with your delivery?" in results


def test_the_send_page_refuses_a_language_without_a_question_and_queues_nothing(team):
    add_customers(("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar-EG"),
                  ("reza@example.com", "رضا", "fa"), ("ali@example.com", "علی", "FA_ir"))
    survey = create_survey("ces", "Export", "Acme", task={"en": "export a report", "ar": "تصدير تقرير"})
    html = page(team, f"/surveys/{survey.id}/send")
    assert "Persian (fa): 2 eligible customers" in html and "Arabic" not in html
    assert "<button type=\"button\" disabled" in html and f'action="/surveys/{survey.id}/send"' not in html
    refused = team.post(f"/surveys/{survey.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "Not sent: 2 eligible customers speak languages this survey has no question in (Persian (fa): 2)" in refused
    assert sent() == 0

    form = {"question_fa": "گرفتن گزارش با Acme آسان بود.", "reason_fa": ""}
    form.update({f"{part}_{locale}": survey.wording[locale][part] for locale in ("en", "ar")
                 for part in ("question", "reason")})
    assert team.post(f"/surveys/{survey.id}/wording", data=form).status_code == 302
    assert wording(survey.id)["fa"] == {"question": "گرفتن گزارش با Acme آسان بود.", "reason": "دلیل اصلی امتیاز شما چیست؟"}
    assert f'action="/surveys/{survey.id}/send"' in page(team, f"/surveys/{survey.id}/send")
    team.post(f"/surveys/{survey.id}/send")
    assert db.session.scalar(select(func.count(Invitation.id))) == 4


def test_the_wording_page_saves_without_every_language_and_refuses_what_would_lose_one(team):
    survey = create_survey("nps", "Q4", {"en": "Acme"})
    kept = {"question_en": "Would you recommend Acme?", "reason_en": ""}
    assert team.post(f"/surveys/{survey.id}/wording", data=kept).status_code == 302
    assert wording(survey.id) == {"en": {"question": "Would you recommend Acme?",
                                         "reason": "What is the main reason for your score?"}}
    emptied = team.post(f"/surveys/{survey.id}/wording", data={"question_en": " "})
    assert emptied.status_code == 200 and "This language has a question: it cannot be left empty." in emptied.get_data(as_text=True)
    prompt_only = team.post(f"/surveys/{survey.id}/wording", data={**kept, "reason_ar": "لماذا؟"})
    assert "Write the question too, or leave both empty." in prompt_only.get_data(as_text=True)
    assert set(wording(survey.id)) == {"en"}


def test_the_refusal_reads_in_the_teams_language(team):
    add_customers(("reza@example.com", "رضا", "fa"), ("ali@example.com", "علی", "fa"), ("sara@example.com", "سارة", "ar"))
    survey = create_survey("csat", "Delivery", "Acme", subject={"en": "your delivery", "ar": "التوصيل"})
    arabic = {"Accept-Language": "ar"}
    html = team.get(f"/surveys/{survey.id}/send", headers=arabic).get_data(as_text=True)
    assert "الفارسية (fa): عميلان مؤهلان" in html and "Persian" not in html
    refused = team.post(f"/surveys/{survey.id}/send", headers=arabic, follow_redirects=True).get_data(as_text=True)
    assert "لم يُرسَل شيء: لا سؤال في هذا الاستبيان بلغة عميلَين مؤهلَين (الفارسية (fa): 2)" in refused
    assert sent() == 0
    assert "لا سؤال بهذه اللغات: الفارسية (fa)." in team.get(f"/surveys/{survey.id}", headers=arabic).get_data(as_text=True)


def test_the_form_creates_a_transactional_survey_with_its_cool_down_and_touchpoint(team):
    html = page(team, "/surveys/new")
    assert 'name="mode" type="radio" value="transactional"' in html and 'list="touchpoints"' in html
    reply = team.post("/surveys/new", data={"kind": "csat", "name": "After a ticket", "subject_en": "our support",
                                            "mode": "transactional", "cooldown_days": "14",
                                            "touchpoint": "Support"})
    survey = db.session.scalar(select(Survey))
    assert reply.status_code == 302
    assert (survey.mode, survey.cooldown_days, survey.touchpoint) == ("transactional", 14, "support")


def test_the_form_leaves_a_relationship_survey_without_cool_down_or_touchpoint_by_default(team):
    team.post("/surveys/new", data={"kind": "nps", "name": "Quarterly", "mode": "relationship"})
    survey = db.session.scalar(select(Survey))
    assert (survey.mode, survey.cooldown_days, survey.touchpoint) == ("relationship", None, None)


@pytest.mark.parametrize("fields, message", [
    ({"mode": "relationship", "cooldown_days": "7"}, "Only a transactional survey has a cool-down of its own"),
    ({"mode": "transactional", "cooldown_days": "-1"}, "Number must be between 0 and 3650."),
    ({"mode": "transactional", "cooldown_days": "seven"}, "Not a valid integer value."),
    ({"mode": "weekly"}, "Not a valid choice."),
    ({"mode": "transactional", "touchpoint": "¿¿"}, "A touchpoint is 1–40 letters or digits"),
])
def test_a_bad_mode_cool_down_or_touchpoint_is_named_and_creates_nothing(team, fields, message):
    reply = team.post("/surveys/new", data={"kind": "csat", "name": "After a ticket", **fields})
    assert reply.status_code == 200 and message in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Survey.id))) == 0
