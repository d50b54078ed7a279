"""Long work in flat memory: a customer import read from the file as it goes, a survey send that keeps
rows rather than ORM objects, batch by batch — and what must stay true while they do (per-line errors,
updates, exactly-once invitations and emails, a rerun after a crash)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from privacy.services import erase_customer
from surveys.answering.links import survey_url
from surveys.asking import services as asking
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation, Survey
from surveys.people.importing import CustomerCSV
from surveys.people.links import unsubscribe_url
from surveys.people.services import import_customers
from surveys.scales.kinds import KINDS
from tests.app.feedback_app.test_cli import run
from tests.app.surveys.test_team_pages import login
from tests.app.triage.verbatims.test_export import PEOPLE as FOUR_PEOPLE
from tests.app.triage.verbatims.test_export import answer_all
from tests.support.factories import NOW, add_customers, sent_survey
from triage.verbatims import export


@pytest.fixture
def admin(app):
    return create_user("admin@example.com", "long-enough-password", "admin")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_import_streamed_from_a_file_is_committed_batch_by_batch_with_every_line_error(app, monkeypatch):
    monkeypatch.setattr("surveys.people.services.BATCH", 2)
    add_customers(("known@example.com", "Known", "ar"))
    known_before = db.session.scalar(select(Customer).where(Customer.email == "known@example.com"))
    stamps_before = (known_before.created_at, known_before.updated_at)
    db.session.execute(text("UPDATE customer SET attributes = :a"), {"a": '{"plan": "free", "mrr": "5"}'})
    db.session.commit()
    data = ("email,name,locale,plan\n"
            "a@example.com,A,en,team\n"
            "not-an-address,B,en,team\n"
            "KNOWN@example.com,,,business\n"
            "b@example.com,B,fa,\n"
            "a@example.com,A twice,en,team\n"
            "c@example.com,C,en,team\n").encode()
    progress = []
    report = import_customers(CustomerCSV(io.BytesIO(data)), progress.append)
    assert (report.created, report.updated, progress) == (3, 1, [2, 2])
    assert [line for line, _ in report.errors] == [3, 6] and "line 2" in str(report.errors[1][1])
    db.session.expire_all()
    known = db.session.scalar(select(Customer).where(Customer.email == "known@example.com"))
    # An update keeps what the file leaves empty, merges the attributes, and stamps the change.
    assert (known.name, known.locale, known.attributes) == ("Known", "ar", {"plan": "business", "mrr": "5"})
    assert known.created_at == stamps_before[0] and known.updated_at >= stamps_before[1]
    b = db.session.scalar(select(Customer).where(Customer.email == "b@example.com"))
    assert (b.name, b.locale, b.attributes) == ("B", "fa", {}) and b.created_at is not None
    assert _count(Customer) == 4


def test_an_erased_address_in_a_stream_is_refused_on_its_line(app):
    (ana,) = add_customers(("ana@example.com", "Ana", "en"))
    erase_customer(ana.email, "cli", NOW)
    report = import_customers(CustomerCSV(io.BytesIO(b"email\nok@example.com\nANA@example.com\n")))
    assert report.created == 1 and [line for line, _ in report.errors] == [3]
    assert "erased on request" in str(report.errors[0][1])


def test_the_cli_imports_from_a_pipe_as_from_a_file(app):
    result = run(app, "customers", "import", "-", input="email,plan\nA@example.com,team\nbroken\nb@example.com,free\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2 added, 0 updated, 1 row not imported."
    assert "line 3:" in result.output and _count(Customer) == 2


def test_the_cli_import_shows_its_progress_and_reports_errors_in_line_order(app, tmp_path):
    csv = tmp_path / "customers.csv"
    csv.write_text("email,name\n" + "".join(f"p{n}@example.com,P\n" for n in range(2500)) + "p7@example.com,Again\n"
                   + "nope,N\n", encoding="utf-8")
    result = run(app, "customers", "import", str(csv))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "Importing customers" in result.output
    assert lines[-3:] == ["line 2502: p7@example.com is already on line 9", lines[-2], "2500 added, 0 updated, "
                          "2 rows not imported."] and lines[-2].startswith("line 2503: email 'nope' is not valid")


def test_a_large_upload_is_imported_from_its_spooled_stream(app, client, admin):
    # Werkzeug keeps an upload over 500 KB in a temporary file: the import reads that file as it goes.
    filler = "x" * 400
    data = ("email,note\n" + "".join(f"u{n}@example.com,{filler}\n" for n in range(1500)) + "bad,x\n").encode()
    assert len(data) > 500_000
    login(client, "admin@example.com")
    page = client.post("/customers/import", data={"file": (io.BytesIO(data), "big.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1500 added" in page and "Line 1502" in page
    assert _count(Customer) == 1500


# ------------------------------------------------------------------ send

PEOPLE = tuple((f"p{n}@example.com", f"P{n}" if n % 2 else None, ("en", "ar", "fa")[n % 3]) for n in range(7))


def test_a_send_renders_each_customers_email_and_keeps_no_orm_objects(app, monkeypatch):
    monkeypatch.setattr("surveys.asking.services.BATCH", 3)
    add_customers(*PEOPLE)
    survey_id = create_survey("csat", "Flat", "Acme",
                              subject={"en": "our support", "ar": "دعمنا الفني", "fa": "پشتیبانی ما"}).id
    db.session.expunge_all()
    survey = db.session.get(Survey, survey_id)
    progress = []
    assert send_survey(survey, NOW, 30, progress.append) == 7
    assert progress == [3, 3, 1]
    held = {type(entity).__name__ for entity in db.session.identity_map.values()}
    assert held <= {"Survey"}, held  # no customer, invitation or email objects left behind
    emails = {e.recipient: e for e in db.session.scalars(select(OutboxEmail))}
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert len(emails) == 7 and len(invitations) == 7
    for invitation in invitations:
        email = emails[invitation.customer.email]
        assert email.dedupe_key == f"survey-invitation:{invitation.id}" and email.locale == invitation.locale
        base = survey_url(invitation)
        assert all(f'href="{base}?score={point}"' in email.body_html for point in range(1, 6))
        assert unsubscribe_url(invitation.customer_id) in email.headers["List-Unsubscribe"]
        name = invitation.customer.name
        assert (name in email.body_text) if name else ("Hello," in email.body_text or invitation.locale != "en")
    assert "How satisfied are you with our support?" in emails["p0@example.com"].subject


def test_a_send_stopped_half_way_is_finished_by_sending_again_without_doubles(app, monkeypatch):
    monkeypatch.setattr("surveys.asking.services.BATCH", 2)
    add_customers(*PEOPLE)
    survey = create_survey("nps", "Crash", "Acme")

    class Crash(Exception):
        pass

    batches = []

    def crash_after_two_batches(done: int):
        batches.append(done)
        if len(batches) == 2:
            raise Crash

    with pytest.raises(Crash):
        send_survey(survey, NOW, 30, crash_after_two_batches)
    db.session.rollback()
    assert _count(Invitation) == 4 and _count(OutboxEmail) == 4  # two whole batches, each with its emails

    # A crash inside a batch, after its invitations were inserted: the batch is rolled back whole.
    real = asking._survey_email
    calls = []

    def fail_on_the_second_email(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(asking, "_survey_email", fail_on_the_second_email)
    with pytest.raises(Crash):
        send_survey(survey, NOW, 30)
    db.session.rollback()
    assert _count(Invitation) == 4 and _count(OutboxEmail) == 4
    monkeypatch.setattr(asking, "_survey_email", real)

    assert send_survey(survey, NOW, 30) == 3
    assert send_survey(survey, NOW, 30) == 0
    per_customer = db.session.execute(select(Invitation.customer_id, func.count()).group_by(Invitation.customer_id)).all()
    assert len(per_customer) == 7 and {n for _, n in per_customer} == {1}
    keys = db.session.scalars(select(OutboxEmail.dedupe_key)).all()
    ids = db.session.scalars(select(Invitation.id)).all()
    assert sorted(keys) == sorted(f"survey-invitation:{i}" for i in ids)


def test_a_customer_another_send_invited_meanwhile_is_skipped_with_no_second_email(app, monkeypatch):
    add_customers(*PEOPLE[:3])
    survey = create_survey("nps", "Race", "Acme")
    real = asking._eligible_batch

    def another_send_gets_there_first(eligible, after):
        customers = real(eligible, after)
        if customers:  # between this send's read and its insert, another process invites the first one
            db.session.execute(Invitation.__table__.insert().values(
                survey_id=survey.id, customer_id=customers[0].id, sent_at=NOW, locale="en"))
        return customers

    monkeypatch.setattr(asking, "_eligible_batch", another_send_gets_there_first)
    assert send_survey(survey, NOW, 30) == 2
    assert _count(Invitation) == 3 and _count(OutboxEmail) == 2
    first = db.session.scalar(select(Customer.id).order_by(Customer.id))
    first_invitation = db.session.scalar(select(Invitation.id).where(Invitation.customer_id == first))
    assert db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.dedupe_key == f"survey-invitation:{first_invitation}")) is None


def test_the_cli_send_counts_and_shows_its_progress(app):
    add_customers(*PEOPLE)
    survey = create_survey("ces", "CLI", "Acme",
                           task={"en": "export a report", "ar": "تصدير تقرير", "fa": "گرفتن گزارش"})
    result = run(app, "surveys", "send", str(survey.id))
    assert result.exit_code == 0, result.output
    assert "Queuing invitations" in result.output and result.output.strip().endswith("Queued 7 invitations.")
    assert send_survey(survey, NOW + timedelta(days=60), 30) == 0


# ------------------------------------------------------------------ export

def test_the_export_reads_keyset_batches_across_equal_times_each_row_once_oldest_first(app, monkeypatch, tmp_path):
    monkeypatch.setattr(export, "BATCH", 3)
    earlier = answer_all(app, {"tom@example.com": (3, "slow"), "ana@example.com": (2, "slower")},
                         at=NOW - timedelta(days=40))
    now = answer_all(app, {email: (5, f"comment of {email}") for email, _, _ in FOUR_PEOPLE})  # four at one time
    statements = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        path = tmp_path / "export.csv"
        result = app.test_cli_runner().invoke(args=["triage", "export", "--output", str(path)])
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert result.exit_code == 0, result.output
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    expected = sorted(earlier.values()) + sorted(now.values())
    assert [int(row["response_id"]) for row in rows] == expected
    reads = [(s, p) for s, p in statements if "FROM response" in s and "ORDER BY" in s]
    assert len(reads) == 3  # 6 rows, 3 a batch: two full batches, then an empty one ends it
    # Each batch starts after the last row written (SQLite's dialect always writes an OFFSET: it is 0).
    assert all("LIMIT" in s and ("OFFSET" not in s or p[-1] == 0) for s, p in reads)
    assert all("response.answered_at >" in s for s, _ in reads[1:])


def test_emails_queued_together_are_rendered_as_one_by_one_and_a_key_queued_before_is_skipped(app):
    from feedback_app.mail.outbox import enqueue_email, enqueue_emails

    survey, (invitation,) = sent_survey(app)  # its invitation email is queued, one by one
    (alone,) = db.session.scalars(select(OutboxEmail)).all()
    context = {"customer": invitation.customer, "kind": KINDS["nps"], "question": "Q?", "buttons": [(1, "u1")],
               "survey_url": "u", "unsubscribe_url": "x"}
    queued = enqueue_emails([
        (alone.dedupe_key, "survey_invitation", "other@example.com", "fa", context, None),  # queued before
        ("together:1", "survey_invitation", "a@example.com", "fa", context, {"X-Test": "1"}),
        ("together:2", "survey_reminder", "b@example.com", "ar", context, None)], NOW)
    assert queued == 2
    assert enqueue_email("single:1", "survey_invitation", "a@example.com", "fa", context, NOW, {"X-Test": "1"})
    db.session.commit()
    rows = {e.dedupe_key: e for e in db.session.scalars(select(OutboxEmail))}
    assert rows[alone.dedupe_key].recipient == "ana@example.com"  # untouched
    together, single = rows["together:1"], rows["single:1"]
    assert (together.subject, together.body_text, together.body_html, together.headers, together.status,
            together.next_attempt_at) == (single.subject, single.body_text, single.body_html, single.headers,
                                          single.status, single.next_attempt_at)
    assert rows["together:2"].subject.startswith("تذكير") and enqueue_emails([], NOW) == 0
