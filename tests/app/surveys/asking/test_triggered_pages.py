"""A triggered survey on the team's pages and command line: its mode and touchpoint shown, the touchpoint edited by
a triager, the trigger's context beside the answer. On SQLite and PostgreSQL."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey
from surveys.asking.triggered import Trigger, trigger_invitation
from surveys.models import Invitation, Survey
from surveys.scales.answers import Answer
from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from tests.support.factories import NOW, add_customers
from triage.verbatims import classifying


def login(client, email):
    create_user(email, "long-enough-password", email.split("@")[0])
    client.post("/login", data={"email": email, "password": "long-enough-password"})


def answered_support_csat():
    add_customers(("ana@example.com", "Ana", "en"))
    survey = create_survey("csat", "after support", "Acme", mode="transactional", touchpoint="support")
    triggered = trigger_invitation(Trigger(survey.id, email="ana@example.com", context="ticket #4411"), NOW, 30)
    record_answer(signed_invitation(triggered.invitation), Answer(5, "quick and kind", False), NOW, timedelta(hours=24))
    return survey


def test_the_results_show_mode_touchpoint_and_the_context_beside_the_comment(app, client):
    survey = answered_support_csat()
    login(client, "triager@example.com")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert '<span class="survey-mode">Transactional</span>' in page and '<span class="touchpoint">Support</span>' in page
    assert "quick and kind" in page and "Context: <bdi>ticket #4411</bdi>" in page
    listed = client.get("/surveys").get_data(as_text=True)
    assert '<small class="survey-mode">Transactional</small>' in listed


def test_a_triager_sets_the_touchpoint_normalised_and_a_viewer_may_not(app, client):
    survey = answered_support_csat()
    login(client, "triager@example.com")
    client.post(f"/surveys/{survey.id}/touchpoint", data={"touchpoint": "  Post-Purchase Follow up "})
    assert db.session.get(Survey, survey.id).touchpoint == "post_purchase_follow_up"
    client.post(f"/surveys/{survey.id}/touchpoint", data={"touchpoint": "!!!"})  # nothing left: refused, unchanged
    assert db.session.get(Survey, survey.id).touchpoint == "post_purchase_follow_up"
    client.post(f"/surveys/{survey.id}/touchpoint", data={"touchpoint": ""})  # empty: none
    assert db.session.get(Survey, survey.id).touchpoint is None
    client.get("/logout")
    login(client, "viewer@example.com")
    assert client.post(f"/surveys/{survey.id}/touchpoint", data={"touchpoint": "renewal"}).status_code == 403


def test_surveys_create_takes_mode_cool_down_and_touchpoint(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["surveys", "create", "--kind", "csat", "--name", "after support", "--product", "Acme",
                                 "--mode", "transactional", "--cooldown-days", "3", "--touchpoint", "First value"])
    assert result.exit_code == 0, result.output
    survey = db.session.get(Survey, int(result.output.split()[-1]))
    assert (survey.mode, survey.cooldown_days, survey.touchpoint) == ("transactional", 3, "first_value")
    listed = runner.invoke(args=["surveys", "list"]).output
    assert listed.strip().endswith("after support\ttransactional\tfirst_value")
    refused = runner.invoke(args=["surveys", "create", "--kind", "nps", "--name", "q", "--product", "Acme",
                                  "--cooldown-days", "3"])
    assert refused.exit_code != 0 and "--mode transactional" in refused.output


def test_the_results_show_every_touchpoint_of_the_kind_worst_first(app, client):
    survey = answered_support_csat()  # support: Ana's 5, satisfied → 100.0, n 1
    add_customers(("badr@example.com", "Badr", "en"))
    onboarding = create_survey("csat", "after onboarding", "Acme", mode="transactional", touchpoint="onboarding")
    invitation = trigger_invitation(Trigger(onboarding.id, email="badr@example.com"), NOW, 30).invitation
    record_answer(signed_invitation(invitation), Answer(2, "", False), NOW, timedelta(hours=24))  # 0 of 1 → 0.0
    login(client, "viewer@example.com")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    rows = re.findall(r'<tr data-touchpoint="([^"]+)"[^>]*><th scope="row">[^<]+</th><td>([^<]+)</td><td>(\d+)</td>', page)
    assert rows == [("onboarding", "0.0", "1"), ("support", "100.0", "1")]


def test_the_customer_page_shows_the_triggered_invitations_context(app, client):
    answered_support_csat()
    customer = add_customers(("ana@example.com", "Ana", "en"))[0]
    login(client, "viewer@example.com")
    page = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert '<span class="invitation-context">Context: <bdi>ticket #4411</bdi></span>' in page


def test_the_triage_list_shows_the_triggers_context_beside_the_verbatim(app, client):
    answered_support_csat()
    assert classifying.classify_pending(NOW, review_below=0.5) == 1
    login(client, "viewer@example.com")
    page = client.get("/triage").get_data(as_text=True)
    assert "quick and kind" in page
    assert '<span class="invitation-context">Context: <bdi>ticket #4411</bdi></span>' in page


def test_a_transactional_survey_is_never_sent_to_everyone_from_the_page_or_the_command_line(app, client):
    add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "en"))
    survey = create_survey("csat", "after support", "Acme", mode="transactional", touchpoint="support")
    login(client, "triager@example.com")
    assert "/send" not in client.get(f"/surveys/{survey.id}").get_data(as_text=True).split("<h1>")[1].split("</div>")[0]
    for reply in (client.get(f"/surveys/{survey.id}/send"), client.post(f"/surveys/{survey.id}/send")):
        assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/surveys/{survey.id}")
    assert "This survey is transactional" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    refused = app.test_cli_runner().invoke(args=["surveys", "send", str(survey.id)])
    assert refused.exit_code == 1 and "is transactional" in refused.output
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
