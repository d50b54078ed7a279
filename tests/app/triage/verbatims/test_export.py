"""CSV export of the verbatims: what was stored comes back out, safely, from the web and the CLI."""
import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.models import Customer, Response
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.classification import services
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import TriageItem
from triage.verbatims import classifying, export

PEOPLE = (("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa"),
          ("tom@example.com", "Tom", "en"))
TRICKY = {
    "ana@example.com": (2, 'He said "no", then, well, it broke\nagain, and again'),
    "sara@example.com": (9, "التصدير, أحيانًا \"يتوقف\"\r\nشكرًا"),
    "reza@example.com": (4, "برنامه هنگ می‌کند و گزارش‌ها ذخیره نمی‌شوند"),
}


def login(client, email, role="viewer"):
    create_user(email, "long-enough-password", role)
    client.post("/login", data={"email": email, "password": "long-enough-password"})


def answer_all(app, answers, kind="nps", at=NOW):
    """answers: {email: (score, comment)} → {email: response id}."""
    _, invitations = sent_survey(app, kind=kind, customers=PEOPLE, now=at)
    ids = {}
    for invitation in invitations:
        email = invitation.customer.email
        if email in answers:
            score, comment = answers[email]
            record_answer(signed_invitation(invitation),
                          Answer(score, comment, True), at, timedelta(hours=24))
            ids[email] = invitation.response.id
    return ids


def parse(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for Arabic and Persian
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    header = next(reader)
    assert tuple(header) == export.HEADER
    return [dict(zip(header, row)) for row in reader]


def download(client, **args):
    reply = client.get("/triage/export.csv", query_string=args)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return parse(reply.data)


def test_the_csv_gives_back_exactly_what_was_stored(app, client):
    ids = answer_all(app, TRICKY)
    assert classifying.classify_pending(NOW, review_below=0.5) == 3
    export_fix = fixes.create_fix(FixChange(title="Export stops, sometimes", cost=2), NOW,
                                  response_ids=[ids["ana@example.com"], ids["sara@example.com"]])
    freeze_fix = fixes.create_fix(FixChange(title="Freezes on reports", cost=3), NOW,
                                  response_ids=[ids["ana@example.com"]])
    response = db.session.get(Response, ids["ana@example.com"])
    response.contacted_at = NOW + timedelta(hours=3)
    response.invitation.context = "=Ticket 4512"  # a triggered invitation's context; a formula start, too
    record_second_answer(ids["sara@example.com"], response.survey_id, "What next?", "تصدير أسرع\nمن فضلك", "ar",
                         NOW + timedelta(minutes=5))  # the thank-you page's second question, in Arabic
    tom = db.session.scalar(select(Customer).where(Customer.email == "tom@example.com"))
    db.session.add(Response(channel="chat", customer_id=tom.id, kind="csat", score=1, comment="Chat: billing, again",
                            locale="en", answered_at=NOW + timedelta(hours=1), updated_at=NOW + timedelta(hours=1)))
    db.session.commit()
    login(client, "viewer@example.com")  # viewers may download

    reply = client.get("/triage/export.csv")
    assert reply.status_code == 200 and reply.is_streamed
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="verbatims-')
    assert reply.data.split(b"\r\n", 1)[0].endswith(b"contacted_at,context,thanks_answer")  # RFC 4180: CRLF after each record
    rows = parse(reply.data)
    assert len(rows) == 4
    by_id = {int(row["response_id"]): row for row in rows}
    items = {i.response_id: i for i in db.session.scalars(select(TriageItem))}
    for email, (score, comment) in TRICKY.items():
        row, item = by_id[ids[email]], items[ids[email]]
        assert row["verbatim"] == comment  # commas, quotes, CRLF and LF inside, Arabic, Persian with ZWNJ
        assert (row["score"], row["kind"], row["channel"], row["survey"]) == (str(score), "nps", "survey", "nps survey")
        assert row["customer_email"] == email and row["language"] == item.language
        assert datetime.fromisoformat(row["answered_at"]).replace(tzinfo=None) == NOW
        assert (row["type"], row["theme"]) == (item.type_key or "", item.theme or "")
        assert float(row["confidence"]) == item.confidence
        assert row["needs_review"] == ("yes" if item.needs_review else "no") and row["confirmed"] == "no"
    assert [by_id[ids["reza@example.com"]][c] for c in ("fix_ids", "fix_titles", "fix_statuses")] == ["", "", ""]
    ana = by_id[ids["ana@example.com"]]
    assert ana["fix_ids"].split("\n") == [str(export_fix.id), str(freeze_fix.id)]
    assert ana["fix_titles"].split("\n") == ["Export stops, sometimes", "Freezes on reports"]
    assert ana["fix_statuses"].split("\n") == ["open", "open"]
    assert ana["contacted_at"] == "2026-11-23T15:00:00Z" and by_id[ids["sara@example.com"]]["contacted_at"] == ""
    assert ana["context"] == "'=Ticket 4512" and by_id[ids["sara@example.com"]]["context"] == ""
    assert by_id[ids["sara@example.com"]]["thanks_answer"] == "تصدير أسرع\nمن فضلك" and ana["thanks_answer"] == ""
    chat = rows[-1]  # the newest last: rows go oldest first
    assert (chat["channel"], chat["survey"], chat["customer_email"], chat["kind"], chat["score"]) == (
        "chat", "", "tom@example.com", "csat", "1")
    assert (chat["verbatim"], chat["type"], chat["confidence"], chat["needs_review"]) == (
        "Chat: billing, again", "", "", "")  # not classified yet: the triage columns stay empty


@pytest.mark.parametrize("cell, written", [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
                                           ("+1 for dark mode", "'+1 for dark mode"), ("-2 stars", "'-2 stars"),
                                           ("@SUM(A1)", "'@SUM(A1)"), ("\t=1+1", "'\t=1+1"), ("\rx", "'\rx"),
                                           ("fine = good", "fine = good"), ("", ""), ("'quoted", "'quoted")])
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(cell, written):
    assert export.neutralise(cell) == written


def test_formulas_in_verbatims_and_fix_titles_are_not_run_by_a_spreadsheet(app, client):
    ids = answer_all(app, {"ana@example.com": (3, "=cmd|' /C calc'!A0"), "tom@example.com": (8, "@ team: fine")})
    fixes.create_fix(FixChange(title="+ better export", cost=1), NOW, response_ids=ids.values())
    login(client, "viewer@example.com")
    rows = {row["customer_email"]: row for row in download(client)}
    assert rows["ana@example.com"]["verbatim"] == "'=cmd|' /C calc'!A0"
    assert rows["tom@example.com"]["verbatim"] == "'@ team: fine"
    assert rows["ana@example.com"]["fix_titles"] == "'+ better export"


def typed(app, answers, types):
    """Answers classified, then set by a triager to the given types (a real correction each)."""
    ids = answer_all(app, answers)
    classifying.classify_pending(NOW, review_below=0.5)
    user = create_user("triager@example.com", "long-enough-password", "triager")
    for email, type_key in types.items():
        item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == ids[email]))
        services.correct(item, type_key, user.id, NOW)
    return ids


FOUR = {"ana@example.com": (1, "charged twice"), "sara@example.com": (10, "ممتاز جدا"),
        "reza@example.com": (5, "پشتیبانی جواب نمی‌دهد"), "tom@example.com": (0, "crashes on start")}
FOUR_TYPES = {"ana@example.com": "pricing", "sara@example.com": "service", "reza@example.com": "service",
              "tom@example.com": "functionality"}


def test_the_export_honours_the_triage_list_filters(app, client):
    typed(app, FOUR, FOUR_TYPES)
    later = answer_all(app, {"ana@example.com": (4, "still charged twice")}, kind="csat", at=NOW + timedelta(days=40))
    later_survey = db.session.get(Response, later["ana@example.com"]).survey_id
    login(client, "viewer@example.com")

    def emails(**args):
        return sorted(row["customer_email"] for row in download(client, **args))

    assert emails() == ["ana@example.com", "ana@example.com", "reza@example.com", "sara@example.com",
                        "tom@example.com"]
    assert emails(type="service") == ["reza@example.com", "sara@example.com"]
    assert emails(type="none") == ["ana@example.com"]  # the later answer, not classified yet
    assert emails(language="fa") == ["reza@example.com"]
    assert emails(band="unhappy") == ["ana@example.com", "reza@example.com", "tom@example.com"]  # NPS 0–6
    assert emails(band="happy") == ["ana@example.com", "sara@example.com"]  # NPS 10 and CSAT 4
    assert emails(type="pricing", band="unhappy") == ["ana@example.com"]
    assert emails(since="2026-12-01") == ["ana@example.com"] == emails(survey=str(later_survey))


def test_a_bad_since_is_refused_with_a_clear_message(app, client):
    login(client, "viewer@example.com")
    reply = client.get("/triage/export.csv?since=last-week")
    assert reply.status_code == 400 and "YYYY-MM-DD" in reply.get_data(as_text=True)


def test_signed_out_people_cannot_download(app, client):
    reply = client.get("/triage/export.csv")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_the_list_links_to_the_export_with_its_filters(app, client):
    login(client, "viewer@example.com")
    page = client.get("/triage?type=pricing&language=ar&page=1").get_data(as_text=True)
    assert "/triage/export.csv?" in page and "type=pricing" in page and "Download CSV" in page
    link = page.split("/triage/export.csv?", 1)[1].split('"', 1)[0]
    assert "page=" not in link and "language=ar" in link


def test_rows_are_read_in_batches_and_each_batch_finds_its_fixes(app, client, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 2)
    ids = typed(app, FOUR, FOUR_TYPES)
    fix = fixes.create_fix(FixChange(title="Billing", cost=1), NOW, response_ids=[ids["tom@example.com"]])
    login(client, "viewer@example.com")
    rows = download(client)
    assert len(rows) == 4
    assert {row["customer_email"]: row["fix_ids"] for row in rows}["tom@example.com"] == str(fix.id)
    assert sum(1 for row in rows if row["fix_ids"]) == 1


def run(app, *args):
    return app.test_cli_runner().invoke(args=["triage", "export", *args])


def test_the_cli_writes_the_file_with_its_header_and_the_same_filters(app, tmp_path):
    typed(app, FOUR, FOUR_TYPES)
    path = tmp_path / "verbatims.csv"
    result = run(app, "--output", str(path), "--type", "service", "--language", "ar")
    assert result.exit_code == 0, result.output
    rows = parse(path.read_bytes())
    assert [(r["customer_email"], r["verbatim"], r["type"], r["confirmed"]) for r in rows] == [
        ("sara@example.com", "ممتاز جدا", "service", "yes")]
    assert f"Exported 1 verbatims to {path}." in result.stderr


def test_the_cli_writes_to_stdout_by_default(app):
    typed(app, FOUR, FOUR_TYPES)
    result = run(app, "--band", "happy")
    assert result.exit_code == 0, result.output
    assert [r["customer_email"] for r in parse(result.stdout_bytes)] == ["sara@example.com"]
    assert "Exported 1 verbatims to stdout." in result.stderr


@pytest.mark.parametrize("args, message", [(["--since", "yesterday"], "YYYY-MM-DD"),
                                           (["--type", "nonsense"], "unknown type 'nonsense'"),
                                           (["--survey", "999"], "no survey with id 999")])
def test_the_cli_refuses_bad_filters_with_a_clear_message(app, tmp_path, args, message):
    path = tmp_path / "out.csv"
    result = run(app, "--output", str(path), *args)
    assert result.exit_code != 0 and message in result.output
