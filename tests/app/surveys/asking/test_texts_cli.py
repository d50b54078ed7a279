"""A survey's texts per language from the command line, and the send that refuses a language without a question."""
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Invitation, Survey
from tests.support.factories import add_customers

CUSTOMERS = (("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar-SA"),
             ("omar@example.com", "عمر", "AR"), ("reza@example.com", "رضا", "fa_IR"), ("kim@example.com", "Kim", "ko"))


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def created(app, *args) -> Survey:
    result = run(app, "surveys", "create", *args)
    assert result.exit_code == 0, result.output
    return db.session.get(Survey, int(result.output.strip().splitlines()[-1]))


def questions(survey_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {locale: texts["question"] for locale, texts in db.session.get(Survey, survey_id).wording.items()}


def queued() -> int:
    return db.session.scalar(select(func.count(OutboxEmail.id))) + db.session.scalar(select(func.count(Invitation.id)))


def test_create_with_a_text_per_language(app):
    survey = created(app, "--kind", "ces", "--name", "Export", "--product", "Acme Board",
                     "--task", 'en:export a report', "--task", "ar:تصدير تقرير", "--task", "fa:گرفتن گزارش")
    assert questions(survey.id) == {"en": "Acme Board made it easy for me to export a report.",
                                    "ar": "كان من السهل عليّ تصدير تقرير باستخدام Acme Board.",
                                    "fa": "با Acme Board، گرفتن گزارش برایم آسان بود."}


def test_a_bare_value_is_english_and_a_colon_inside_it_is_no_language(app):
    result = run(app, "surveys", "create", "--kind", "csat", "--name", "Plans", "--subject", "Plan: Pro")
    assert result.exit_code == 0, result.output
    survey_id = int(result.output.strip().splitlines()[-1])
    assert questions(survey_id) == {"en": "How satisfied are you with Plan: Pro?"}
    assert "No question in Arabic (ar) and Persian (fa)" in result.output
    assert f"feedback surveys wording {survey_id} --subject ar:" in result.output


def test_defaults_are_translated_and_a_bare_product_is_every_languages_name(app):
    survey = created(app, "--kind", "nps", "--name", "Q4", "--product", "Acme")
    assert all("Acme" in question for question in questions(survey.id).values())
    default = created(app, "--kind", "ces", "--name", "Default")
    assert questions(default.id)["en"] == "Our product made it easy for me to get what I needed done."
    assert questions(default.id)["fa"] == "با محصول ما، انجام کارم برایم آسان بود."


def test_an_unknown_language_prefix_is_a_clear_error_and_creates_nothing(app):
    result = run(app, "surveys", "create", "--kind", "ces", "--name", "X", "--task", "de:Bericht exportieren")
    assert result.exit_code == 2
    assert "unknown language 'de'" in result.output and "en:" in result.output
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_texts_that_complete_no_language_are_refused(app):
    result = run(app, "surveys", "create", "--kind", "ces", "--name", "X", "--product", "en:Acme", "--task", "ar:تصدير")
    assert result.exit_code == 1 and "no language has every text" in result.output
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_send_refuses_languages_without_a_question_then_sends_once_they_have_one(app):
    add_customers(*CUSTOMERS)
    survey = created(app, "--kind", "ces", "--name", "Export", "--task", "en:export a report")
    refused = run(app, "surveys", "send", str(survey.id))
    assert refused.exit_code == 1
    assert ("Not sent: 2 eligible customers speak Arabic (ar) and 1 Persian (fa), and this survey has no "
            "question in those languages.") in refused.output
    assert f"`feedback surveys wording {survey.id} --task ar:…`" in refused.output
    assert queued() == 0

    worded = run(app, "surveys", "wording", str(survey.id), "--task", "ar:تصدير تقرير")
    assert worded.exit_code == 0, worded.output
    assert questions(survey.id)["ar"] == "كان من السهل عليّ تصدير تقرير باستخدام منتجنا."
    assert "fa\t(no question)" in worded.output and "No question in Persian (fa)" in worded.output
    again = run(app, "surveys", "send", str(survey.id))
    assert again.exit_code == 1 and "Not sent: 1 eligible customer speaks Persian (fa), and this survey has no " \
                                    "question in that language." in again.output
    assert queued() == 0

    run(app, "surveys", "wording", str(survey.id), "--question", "fa:گرفتن گزارش آسان بود.", "--reason", "fa:چرا؟")
    assert questions(survey.id)["fa"] == "گرفتن گزارش آسان بود."
    sent = run(app, "surveys", "send", str(survey.id))
    assert sent.exit_code == 0 and sent.output.strip().endswith("Queued 5 invitations.")
    subjects = {e.recipient: e.subject for e in db.session.scalars(select(OutboxEmail))}
    assert subjects["omar@example.com"] == subjects["sara@example.com"] == questions(survey.id)["ar"]
    assert subjects["reza@example.com"] == "گرفتن گزارش آسان بود."
    assert subjects["kim@example.com"] == "Our product made it easy for me to export a report."


def test_a_language_nobody_eligible_speaks_does_not_stop_a_send(app):
    add_customers(("ana@example.com", "Ana", "en"))
    survey = created(app, "--kind", "csat", "--name", "Delivery", "--subject", "your delivery")
    sent = run(app, "surveys", "send", str(survey.id))
    assert sent.exit_code == 0 and sent.output.strip().endswith("Queued 1 invitation.")


def test_the_wording_command_keeps_the_product_name_and_changes_the_languages_it_is_given(app):
    survey = created(app, "--kind", "ces", "--name", "Export", "--product", "Acme",
                     "--task", "en:export a report", "--task", "ar:تصدير تقرير")
    run(app, "surveys", "wording", str(survey.id), "--task", "fa:گرفتن گزارش", "--task", "en:send an invoice")
    assert questions(survey.id) == {"en": "Acme made it easy for me to send an invoice.",
                                    "ar": "كان من السهل عليّ تصدير تقرير باستخدام Acme.",
                                    "fa": "با Acme، گرفتن گزارش برایم آسان بود."}
    shown = run(app, "surveys", "wording", str(survey.id))
    assert shown.exit_code == 0 and "ar\tكان من السهل" in shown.output and "No question" not in shown.output
    wrong = run(app, "surveys", "wording", str(survey.id), "--question", "xx:hello")
    assert wrong.exit_code == 2 and "unknown language 'xx'" in wrong.output
    assert run(app, "surveys", "wording", "999").exit_code == 1
