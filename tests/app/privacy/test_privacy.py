"""The customer's rights: everything held about one customer exported, or erased everywhere while the
anonymous scores stay, and an erased address never stored or emailed again unless restored."""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import SUPPRESSED, OutboxEmail
from feedback_app.mail.suppression import SuppressedAddress, is_suppressed
from feedback_app.mail.transports import transport_from_config
from privacy.export import export_customer
from privacy.models import Erasure
from privacy.records import AlreadyErased, InvalidAddress, UnknownCustomer
from privacy.scrubbing import ERASED_RECIPIENT, NAMED_NOTE, NOT_SENT
from privacy.services import NotErased, erase_customer, restore_address
from retention.activity import import_activity
from retention.activity_csv import ActivityRow
from retention.models import Activity, StageChange
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.asking.results import survey_results
from surveys.models import Customer, Invitation, Response, Survey, ThanksAnswer
from surveys.people.importing import CustomerRow, ParsedCSV, parse_customer_csv
from surveys.people.services import import_customers
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.classification import encoder, learning
from triage.classification import services as classification
from triage.fixes import queue as fix_queue
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop import follow_up
from triage.loop.advise import record_advice
from triage.loop.early_access import record_early_access
from triage.models import (
    BetaTester,
    EncoderHead,
    Fix,
    FixLink,
    ModelVersion,
    TextEmbedding,
    ThemeGroup,
    ThemeTally,
    TrainingExample,
    TriageItem,
)
from triage.verbatims import classifying
from triage.verbatims.intake import ChannelFeedback, take_feedback

EMAIL = "zq-unique-7731@example.com"
NAME = "Velmira Quonstad"
WORDS = "my neighbour Quentaro hates the export"
CHANNEL_WORDS = "Quentaro says the invoice export crashed again"
SECOND_WORDS = "Quentaro wants bulk export"  # their answer to the thank-you page's question
OTHER = ("ana@example.com", "Ana", "en")
LATER = NOW + timedelta(hours=49)  # their unhappy answer is overdue for a follow-up by then


@dataclass
class Story:
    survey: Survey
    customer_id: int
    answer_id: int
    channel_id: int
    fix_id: int


def deliver(app, now):
    deliver_due(now, transport_from_config(app.config), "Acme <feedback@acme.test>")


def customer_everywhere(app) -> Story:
    """One customer whose data reaches every table: invited and emailed, a survey answer and a channel
    item (triaged, confirmed, trained on), a fix they support announced, tried early and shipped, and
    the team's follow-up digest naming them. Ana answers too, and must come out untouched."""
    survey, invitations = sent_survey(app, customers=((EMAIL, NAME, "en"), OTHER))
    import_customers(ParsedCSV(rows=[CustomerRow(2, EMAIL, NAME, "en", {"plan": "team", "mrr": "49"},
                                                 customer_since=datetime(2025, 3, 1))]))
    theirs, ana = invitations
    import_activity([ActivityRow(2, EMAIL, datetime(2026, 10, 1), "purchase", Decimal("49"), "order-77"),
                     ActivityRow(3, OTHER[0], datetime(2026, 10, 2), "login", None, None)], NOW)
    db.session.add(StageChange(customer_id=theirs.customer_id, from_stage=None, to_stage="active", changed_at=NOW,
                               reason={}))
    db.session.commit()
    record_answer(signed_invitation(theirs), Answer(3, WORDS, True), NOW,
                  timedelta(hours=24))
    record_answer(signed_invitation(ana), Answer(9, "all good", False), NOW,
                  timedelta(hours=24))
    # Both answer the thank-you page's second question: theirs goes with them, Ana's stays.
    record_second_answer(theirs.response.id, survey.id, "What next?", SECOND_WORDS, "en", NOW)
    record_second_answer(ana.response.id, survey.id, "What next?", "more reports", "en", NOW)
    deliver(app, NOW)
    classifying.classify_pending(NOW, 0.5)
    channel = take_feedback(ChannelFeedback(CHANNEL_WORDS, email=EMAIL, score=2, kind="nps", channel="support-email",
                                            may_contact=True, external_id="ticket-7731"), NOW, 0.5).response
    for response_id in (theirs.response.id, channel.id):  # their words become training examples …
        item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response_id))
        classification.correct(item, "functionality", None, NOW)
    learning.train(NOW)  # … and a model learns them (WORDS is in the held-out fifth, CHANNEL_WORDS is not)
    fix = fixes.create_fix(FixChange(title="Faster exports", cost=2), NOW,
                           response_ids=[theirs.response.id, channel.id])
    fixes.update_fix(fix, NOW, FixChange(public_titles={"en": "Exports"}, news_fallback="en",
                                         release_note="Exports of any size now finish."))
    fixes.change_status(fix, "planned", NOW, tell_planned=True)
    record_early_access(fix.id, theirs.customer_id, NOW)
    record_advice(fix.id, theirs.customer_id, NOW)
    fixes.change_status(fix, "in_progress", NOW)
    fixes.change_status(fix, "shipped", NOW)
    create_user("triager@example.com", "long-enough-password", "triager")
    follow_up.queue_digests(LATER, timedelta(hours=48), "http://survey.test")
    deliver(app, LATER)
    for text in (WORDS, CHANNEL_WORDS, "all good"):  # the optional encoder's cache, as its refinement leaves it
        db.session.add(TextEmbedding(encoder=encoder.ENCODER, text_hash=encoder.text_key(text),
                                     vector=bytes(2 * encoder.DIMENSIONS), created_at=NOW))
    db.session.add(EncoderHead(created_at=NOW, encoder=encoder.ENCODER, model_version=learning.active_model()[0],
                               head="{}", examples=2))  # … and its head, trained on the same labels
    db.session.commit()
    return Story(survey, theirs.customer_id, theirs.response.id, channel.id, fix.id)


def answered_once(app) -> int:
    """A lighter story for the pages and the API: invited, and one survey answer with their words."""
    _, (invitation,) = sent_survey(app, customers=((EMAIL, NAME, "en"),))
    record_answer(signed_invitation(invitation), Answer(3, WORDS, True), NOW,
                  timedelta(hours=24))
    return invitation.response.id


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def their_rows(story: Story) -> list[Response]:
    db.session.expire_all()
    return db.session.scalars(select(Response).where(Response.id.in_([story.answer_id, story.channel_id]))
                              .order_by(Response.id)).all()


# ---------------------------------------------------------------- export

def test_the_export_holds_everything_about_them_and_nothing_about_others(app):
    story = customer_everywhere(app)
    data = export_customer(" ZQ-Unique-7731@Example.com ")
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # plain JSON
    assert data["export_version"] == 1
    assert data["customer"] == {"email": EMAIL, "name": NAME, "locale": "en", "attributes": {"plan": "team", "mrr": "49"},
                                "created_at": data["customer"]["created_at"], "updated_at": data["customer"]["updated_at"],
                                "unsubscribed_at": None, "customer_since": "2025-03-01T00:00:00+00:00",
                                "ended_at": None, "stage": None, "stage_since": None}
    assert data["customer"]["created_at"].endswith("+00:00")
    (invitation,) = data["invitations"]
    assert (invitation["survey_id"], invitation["survey_kind"], invitation["answered"], invitation["sent_at"]) == (
        story.survey.id, "nps", True, "2026-11-23T12:00:00+00:00")
    survey_answer, channel_answer = data["answers"]
    assert (survey_answer["id"], survey_answer["channel"], survey_answer["score"], survey_answer["kind"],
            survey_answer["text"], survey_answer["may_contact"], survey_answer["consent_at"]) == (
        story.answer_id, "survey", 3, "nps", WORDS, True, "2026-11-23T12:00:00+00:00")
    assert (survey_answer["type"], survey_answer["type_confirmed"]) == ("functionality", True)
    assert data["thanks_answers"] == [{"answer_id": story.answer_id, "survey_id": story.survey.id,
                                       "question": "What next?", "text": SECOND_WORDS, "locale": "en",
                                       "answered_at": "2026-11-23T12:00:00+00:00"}]  # Ana's is hers
    assert (channel_answer["channel"], channel_answer["external_id"], channel_answer["text"], channel_answer["score"],
            channel_answer["survey_id"]) == ("support-email", "ticket-7731", CHANNEL_WORDS, 2, None)
    assert data["fixes_supported"] == [{"id": story.fix_id, "title": "Faster exports", "status": "shipped",
                                        "answer_ids": [story.answer_id, story.channel_id]}]
    assert [(n["fix_id"], n["event"], n["status"]) for n in data["fixes_told"]] == [
        (story.fix_id, "fix-planned", "sent"), (story.fix_id, "fix-shipped", "sent")]
    assert [(b["fix_id"], b["title"]) for b in data["beta_tester"]] == [(story.fix_id, "Faster exports")]
    assert data["adviser"] == [{"fix_id": story.fix_id, "title": "Faster exports",
                                "offered_at": "2026-11-23T12:00:00+00:00"}]
    assert [(e["template"], e["status"]) for e in data["emails"]] == [
        ("survey_invitation", "sent"), ("fix_planned", "sent"), ("fix_shipped", "sent")]
    assert all(e["subject"] and e["text"] for e in data["emails"])
    assert data["activity"] == [{"occurred_at": "2026-10-01T00:00:00+00:00", "kind": "purchase", "amount": 49.0,
                                 "external_id": "order-77"}]  # Ana's login is hers
    assert data["stage_history"] == [{"changed_at": "2026-11-23T12:00:00+00:00", "from_stage": None,
                                      "to_stage": "active"}]
    assert "ana@example.com" not in json.dumps(data) and "all good" not in json.dumps(data)


def test_export_of_an_unknown_or_invalid_address_is_a_clear_error(app):
    with pytest.raises(UnknownCustomer, match="No customer has the address nobody@example.com"):
        export_customer("nobody@example.com")
    with pytest.raises(InvalidAddress, match="not a valid email address"):
        export_customer("not an address")


# ---------------------------------------------------------------- erasure

def test_erasure_removes_every_personal_detail_and_keeps_the_scores(app, client):
    story = customer_everywhere(app)
    results_before = survey_results(story.survey).as_json()
    keys_before = set(db.session.scalars(select(OutboxEmail.dedupe_key)))

    report = erase_customer(EMAIL, "user admin@example.com", LATER)

    assert report.removed == {"customer": 1, "invitations": 1, "answers": 2, "thanks_answers": 1, "triage_records": 2,
                              "training_examples": 2, "encoder_vectors": 2,
                              "model_versions": report.removed["model_versions"],
                              "fix_links_merged": 1, "beta_tester_records": 1, "adviser_records": 1, "emails": 3, "team_emails": 1,
                              "activities": 1, "stage_changes": 1, "win_back_emails": 0, "save_outcomes": 0,
                              "customer_values": 0, "advocacy_asks": 0, "webhook_events": 0}
    assert report.removed["model_versions"] >= 1 and report.model_withdrawn and report.files_cleared
    db.session.expire_all()
    assert db.session.scalars(select(Customer.email)).all() == ["ana@example.com"]
    assert db.session.get(Invitation, db.session.scalar(select(Response.invitation_id).where(
        Response.id == story.answer_id))).customer_id is None
    for row in their_rows(story):
        assert (row.comment, row.may_contact, row.consent_at, row.customer_id, row.external_id) == ("", False, None, None, None)
    assert [(r.channel, r.score) for r in their_rows(story)] == [("survey", 3), ("support-email", 2)]
    items = db.session.scalars(select(TriageItem).where(TriageItem.response_id.in_([story.answer_id, story.channel_id])))
    assert items.all() == []  # no text, nothing to triage: like any answer without a comment
    assert count(TrainingExample) == 0 and count(BetaTester) == 0 and count(StageChange) == 0
    assert db.session.scalars(select(ThanksAnswer.text)).all() == ["more reports"]  # Ana's stays
    assert db.session.scalars(select(Activity.kind)).all() == ["login"]  # Ana's
    assert count(ModelVersion, ModelVersion.model != "") == 0 and learning.active_model() is None
    assert count(EncoderHead) == 0 and db.session.scalars(select(TextEmbedding.text_hash)).all() == [
        encoder.text_key("all good")]
    assert count(FixLink) == 1  # their strongest answer still supports the fix: one respondent, as before
    assert fix_queue.placed(db.session.get(Fix, story.fix_id), LATER).impact.respondents == 1
    # The outbox keeps every key and delivery state, and nothing that names or quotes them.
    assert set(db.session.scalars(select(OutboxEmail.dedupe_key))) == keys_before
    theirs = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == ERASED_RECIPIENT)).all()
    assert [(e.subject, e.body_text, e.body_html, e.headers, e.status) for e in theirs] == [("", "", "", {}, "sent")] * 3
    digest = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "follow_up_digest"))
    assert digest.body_text == NAMED_NOTE and digest.recipient == "triager@example.com"
    everything = " ".join(f"{e.recipient} {e.subject} {e.body_text} {e.body_html} {e.headers} {e.last_error}"
                          for e in db.session.scalars(select(OutboxEmail)))
    assert not any(trace in everything for trace in (EMAIL, "Velmira", "Quentaro"))
    # Results unchanged: same n, same score, same invited and delivered.
    assert survey_results(story.survey).as_json() == results_before
    # Recorded: when and by whom, counts only; the address is suppressed as a hash.
    (erasure,) = db.session.scalars(select(Erasure)).all()
    assert (erasure.erased_at, erasure.erased_by, erasure.removed) == (LATER, "user admin@example.com", report.removed)
    assert EMAIL not in json.dumps(erasure.removed) and is_suppressed(EMAIL)
    assert EMAIL not in db.session.scalars(select(SuppressedAddress.address_hash)).one()
    ana = db.session.scalar(select(Response).where(Response.score == 9))
    assert ana.comment == "all good" and ana.invitation.customer.email == "ana@example.com"
    # Every page that shows answers, fixes or emails still works with an anonymous answer in it.
    sign_in(client, "admin")
    digest_id = digest.id
    for path in ("/", "/triage", "/triage/follow-ups", f"/fixes/{story.fix_id}", f"/surveys/{story.survey.id}",
                 "/customers", "/admin/outbox", f"/admin/outbox/{digest_id}", "/admin/privacy"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert not any(trace in page.get_data(as_text=True) for trace in (EMAIL, "Velmira", "Quentaro")), path


def test_an_email_still_waiting_is_never_sent_once_they_are_erased(app):
    survey, (invitation,) = sent_survey(app, customers=((EMAIL, NAME, "en"),))  # queued, not delivered
    erase_customer(EMAIL, "cli", NOW)
    db.session.expire_all()
    (email,) = db.session.scalars(select(OutboxEmail)).all()
    assert (email.status, email.last_error, email.recipient) == (SUPPRESSED, NOT_SENT, ERASED_RECIPIENT)
    deliver(app, NOW + timedelta(minutes=1))
    assert app.config["MAIL_MEMORY_TRANSPORT"].sent == []
    results = survey_results(survey).as_json()
    assert (results["invited"], results["delivered"]) == (1, 0)


def test_erasing_twice_or_an_unknown_address_says_so_and_changes_nothing(app):
    sent_survey(app, customers=((EMAIL, NAME, "en"),))
    erase_customer(EMAIL, "cli", NOW)
    with pytest.raises(AlreadyErased, match="already erased on request on 2026-11-23"):
        erase_customer(EMAIL.upper(), "cli", NOW)
    with pytest.raises(UnknownCustomer, match="No customer has the address nobody@example.com"):
        erase_customer("nobody@example.com", "cli", NOW)
    with pytest.raises(AlreadyErased):
        export_customer(EMAIL)
    assert count(Erasure) == 1 and count(SuppressedAddress) == 1


# ---------------------------------------------------------------- never stored or emailed again

def import_csv(text: str):
    return import_customers(parse_customer_csv(text.encode()))


def test_an_erased_address_is_refused_by_the_import_line_by_line_until_restored(app):
    sent_survey(app, customers=((EMAIL, NAME, "en"),))
    erase_customer(EMAIL, "cli", NOW)
    report = import_csv(f"email,name,plan\nnew@example.com,New,team\n{EMAIL.upper()},{NAME},gold\nbroken,x,y\n")
    assert (report.created, report.updated) == (1, 0)
    assert (report.errors[0][0], str(report.errors[0][1])) == (
        3, f"this address was erased on request on 2026-11-23; `feedback customers restore {EMAIL}` allows it again")
    assert report.errors[1][0] == 4
    assert db.session.scalars(select(Customer.email)).all() == ["new@example.com"]  # nothing of line 3 stored

    restore_address(EMAIL, "user admin@example.com", NOW)
    assert not is_suppressed(EMAIL)
    assert import_csv(f"email,name\n{EMAIL},{NAME}\n").created == 1
    restored = db.session.scalars(select(Erasure).order_by(Erasure.id)).all()[-1]
    assert (restored.erased_by, restored.removed) == ("user admin@example.com", {"address_restored": 1})
    with pytest.raises(NotErased, match="not on the list of erased addresses"):
        restore_address("never-erased@example.com", "cli", NOW)


def test_feedback_from_an_erased_address_is_refused_with_409_and_stores_nothing(app, client):
    sent_survey(app, customers=((EMAIL, NAME, "en"),))
    erase_customer(EMAIL, "cli", NOW)
    token = create_token("zendesk", "triager", NOW).plain
    before = (count(Customer), count(Response), count(TriageItem))
    reply = client.post("/api/v1/feedback", json={"text": "me again", "email": EMAIL.upper()},
                        headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 409
    assert "erased on request" in reply.get_json()["message"] and reply.get_json()["code"] == 409
    db.session.expire_all()
    assert (count(Customer), count(Response), count(TriageItem)) == before
    anonymous = client.post("/api/v1/feedback", json={"text": "no address given"},
                            headers={"Authorization": f"Bearer {token}"})
    assert anonymous.status_code == 201


# ---------------------------------------------------------------- the admin page

def sign_in(client, role: str):
    create_user(f"{role}@team.example", "long-enough-password", role)
    client.post("/login", data={"email": f"{role}@team.example", "password": "long-enough-password"})


@pytest.mark.parametrize("role", ["viewer", "triager"])
def test_the_privacy_page_is_for_admins_only(app, client, role):
    sent_survey(app, customers=((EMAIL, NAME, "en"),))
    assert "/login" in client.get("/admin/privacy").headers["Location"]
    sign_in(client, role)
    assert client.get("/admin/privacy").status_code == 403
    for action in ("lookup", "export", "erase", "restore"):
        reply = client.post(f"/admin/privacy/{action}",
                            data={f"{action}-email": EMAIL, "erase-confirm": EMAIL, "export-email": EMAIL})
        assert reply.status_code == 403, action
    assert count(Customer) == 1 and count(Erasure) == 0


def test_an_admin_looks_up_downloads_erases_and_restores(app, client):
    answer_id = answered_once(app)
    sign_in(client, "admin")
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert "Nothing erased yet" in page and 'href="/admin/privacy"' in page  # linked from the navigation
    found = client.post("/admin/privacy/lookup", data={"lookup-email": EMAIL.upper()}).get_data(as_text=True)
    assert NAME in found and "Download everything held" in found
    download = client.post("/admin/privacy/export", data={"export-email": EMAIL})
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert download.headers["Content-Disposition"].startswith("attachment") and EMAIL not in download.headers["Content-Disposition"]
    assert download.get_json()["answers"][0]["text"] == WORDS

    mistyped = client.post("/admin/privacy/erase", data={"erase-email": EMAIL, "erase-confirm": "zq@example.com"})
    assert mistyped.status_code == 422 and "not the same address" in mistyped.get_data(as_text=True)
    assert count(Customer, Customer.email == EMAIL) == 1

    erased = client.post("/admin/privacy/erase", data={"erase-email": EMAIL, "erase-confirm": f" {EMAIL.upper()} "},
                         follow_redirects=True)
    page = erased.get_data(as_text=True)
    assert erased.status_code == 200 and "Erased." in page and "answers emptied (scores kept): 1" in page
    assert "user admin@team.example" in page and EMAIL not in page  # the log says who did it, never whose
    db.session.expire_all()
    assert count(Customer, Customer.email == EMAIL) == 0 and db.session.get(Response, answer_id).comment == ""
    again = client.post("/admin/privacy/lookup", data={"lookup-email": EMAIL}).get_data(as_text=True)
    assert "Erased on request on" in again

    restored = client.post("/admin/privacy/restore", data={"restore-email": EMAIL}, follow_redirects=True)
    assert "may be imported and emailed again" in restored.get_data(as_text=True) and not is_suppressed(EMAIL)
    twice = client.post("/admin/privacy/restore", data={"restore-email": EMAIL})
    assert twice.status_code == 422 and "not on the list" in twice.get_data(as_text=True)


def test_the_privacy_forms_need_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        sent_survey(app, customers=((EMAIL, NAME, "en"),))
        create_user("admin@team.example", "long-enough-password", "admin")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": "admin@team.example", "password": "long-enough-password",
                                    "csrf_token": token})
        assert client.get("/admin/privacy").status_code == 200
        assert client.post("/admin/privacy/erase", data={"erase-email": EMAIL, "erase-confirm": EMAIL}).status_code == 400
        assert client.post("/admin/privacy/export", data={"export-email": EMAIL}).status_code == 400
        assert count(Customer) == 1


# ---------------------------------------------------------------- the API

def bearer(role: str) -> dict:
    return {"Authorization": f"Bearer {create_token(f'{role}-token', role, NOW).plain}"}


def test_the_api_exports_and_erases_for_admin_tokens_only(app, client):
    answer_id = answered_once(app)
    for role in ("viewer", "triager"):
        for action in ("export", "erase"):
            reply = client.post(f"/api/v1/customers/{action}", json={"email": EMAIL}, headers=bearer(role))
            assert reply.status_code == 403, (role, action)
    assert "Only admin tokens" in reply.get_json()["message"]
    admin = bearer("admin")
    exported = client.post("/api/v1/customers/export", json={"email": EMAIL}, headers=admin)
    assert exported.status_code == 200 and exported.get_json() == json.loads(json.dumps(export_customer(EMAIL)))
    assert client.post("/api/v1/customers/export", json={"email": "nobody@example.com"}, headers=admin).status_code == 404
    assert client.post("/api/v1/customers/erase", json={"email": "nobody@example.com"}, headers=admin).status_code == 404
    assert client.post("/api/v1/customers/erase", json={"email": "not an address"}, headers=admin).status_code == 422
    assert client.post("/api/v1/customers/erase", json={"email": EMAIL, "x": 1}, headers=admin).status_code == 422

    erased = client.post("/api/v1/customers/erase", json={"email": EMAIL}, headers=admin)
    assert erased.status_code == 200
    assert erased.get_json() == {"erased": True, "removed": {**erased.get_json()["removed"], "answers": 1, "customer": 1}}
    db.session.expire_all()
    assert db.session.get(Response, answer_id).comment == ""
    assert db.session.scalar(select(Erasure.erased_by)) == "token admin-token"
    again = client.post("/api/v1/customers/erase", json={"email": EMAIL}, headers=admin)
    assert again.status_code == 409 and "already erased" in again.get_json()["message"]
    assert client.post("/api/v1/customers/export", json={"email": EMAIL}, headers=admin).status_code == 404


def test_the_openapi_document_describes_the_customer_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for action in ("export", "erase"):
        operation = document["paths"][f"/api/v1/customers/{action}"]["post"]
        assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert document["components"]["schemas"]["AddressIn"]["required"] == ["email"]


# ---------------------------------------------------------------- the command line

def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_the_commands_export_erase_and_restore(app, tmp_path):
    story = customer_everywhere(app)
    printed = run(app, "customers", "export", EMAIL)
    assert printed.exit_code == 0 and json.loads(printed.output)["customer"]["name"] == NAME
    path = tmp_path / "export.json"
    assert run(app, "customers", "export", EMAIL, "--output", str(path)).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["answers"][1]["text"] == CHANNEL_WORDS
    assert WORDS in path.read_text(encoding="utf-8")  # UTF-8 as written, not \\u escapes

    declined = run(app, "customers", "erase", EMAIL, input="n\n")
    assert declined.exit_code != 0 and count(Customer, Customer.email == EMAIL) == 1

    erased = run(app, "customers", "erase", EMAIL, input="y\n")
    assert erased.exit_code == 0, erased.output
    lines = erased.stdout.strip().splitlines()
    assert lines[-1].startswith("Erased:") and "2  answers emptied (scores kept)" in erased.stdout
    db.session.expire_all()
    assert their_rows(story)[0].comment == "" and db.session.scalar(select(Erasure.erased_by)) == "cli"
    # The model that learnt their words was withdrawn and its successor trained at once, without them.
    (active,) = db.session.scalars(select(ModelVersion).where(ModelVersion.active)).all()
    assert active.model and "quentaro" not in active.model.lower()

    twice = run(app, "customers", "erase", EMAIL, "--yes")
    assert twice.exit_code != 0 and "already erased" in twice.output
    unknown = run(app, "customers", "export", "nobody@example.com")
    assert unknown.exit_code != 0 and "No customer has the address" in unknown.output
    assert run(app, "customers", "restore", EMAIL).output.startswith("Restored:")
    assert run(app, "customers", "restore", EMAIL).exit_code != 0


def test_a_theme_group_they_named_is_renamed_by_its_earliest_remaining_member(app):
    """A group is named by its first member's theme; an erased customer's words must not stay behind as
    the name of a group others still belong to, nor as the key of an emptied group or tally."""
    texts = [(EMAIL, "Quentaro export crashes with big invoices"), ("ana@example.com", "invoice export crashes"),
             ("bo@example.com", "the invoice export crashes every time"), (EMAIL, "Quentaro reports look odd")]
    for minutes, (email, text) in enumerate(texts):
        take_feedback(ChannelFeedback(text, email=email, answered_at=NOW - timedelta(minutes=9 - minutes)), NOW, 0.5)
    classifying.classify_pending(NOW, 0.5)  # the sweep places them in groups
    assert any("quentaro" in group.label.lower() for group in db.session.scalars(select(ThemeGroup)))

    erase_customer(EMAIL, "cli", NOW)
    groups = db.session.scalars(select(ThemeGroup)).all()
    assert groups and not any("quentaro" in (group.label + group.key).lower() for group in groups)
    assert not any("quentaro" in key.lower() for key in db.session.scalars(select(ThemeTally.theme_group)))
    for group in groups:
        themes = db.session.scalars(select(TriageItem.theme).where(TriageItem.theme_group == group.key)
                                    .order_by(TriageItem.response_id)).all()
        assert group.size == len(themes) > 0 and group.label == themes[0]
