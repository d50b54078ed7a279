"""A survey sent to a segment only (`feedback surveys send ID --segment NAME`, the send page's choice), on both
databases: the eligible customers of the segment are invited, nobody else; the rest can be invited later."""
import pytest
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.asking.services import create_survey
from surveys.models import Customer, Invitation, Segment
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers

PASSWORD = "long-enough-password"


@pytest.fixture
def survey(app):
    # Four customers: c0 and c2 are pro. c2 unsubscribed, so the segment's eligible audience is c0 alone.
    rows = [CustomerRow(n + 2, f"c{n}@example.com", None, "en", {"plan": plan})
            for n, plan in enumerate(["pro", "free", "pro", "team"])]
    import_customers(ParsedCSV(rows=rows))
    db.session.scalar(select(Customer).where(Customer.email == "c2@example.com")).unsubscribed_at = \
        db.session.scalar(select(Customer.created_at).limit(1))
    db.session.commit()
    return create_survey("nps", "Spring NPS", "Acme")


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def invited(survey_id):
    return sorted(db.session.scalars(select(Customer.email).join(Invitation, Invitation.customer_id == Customer.id)
                                     .where(Invitation.survey_id == survey_id)))


def test_the_command_sends_to_the_segment_then_to_everyone_left(app, survey):
    assert run(app, "segments", "add", "Pro", "--rule", "plan = pro").exit_code == 0
    result = run(app, "surveys", "send", survey.id, "--segment", "Pro")
    assert result.exit_code == 0, result.output
    assert "Queued 1 invitation." in result.output and invited(survey.id) == ["c0@example.com"]
    result = run(app, "surveys", "send", survey.id)
    assert "Queued 2 invitations." in result.output        # c1 and c3; c0 not twice, c2 unsubscribed
    assert invited(survey.id) == ["c0@example.com", "c1@example.com", "c3@example.com"]


def test_an_unknown_segment_is_a_clear_error_and_sends_nothing(app, survey):
    result = run(app, "surveys", "send", survey.id, "--segment", "Nope")
    assert result.exit_code != 0 and "no segment named 'Nope'" in result.output
    assert invited(survey.id) == []


def test_the_send_page_counts_and_sends_to_the_segment(app, client, survey):
    run(app, "segments", "add", "Not pro", "--rule", "plan != pro")
    segment_id = db.session.scalar(select(Segment.id))
    create_user("t@example.com", PASSWORD, "triager")
    client.post("/login", data={"email": "t@example.com", "password": PASSWORD})
    page = client.get(f"/surveys/{survey.id}/send?segment={segment_id}").get_data(as_text=True)
    assert "2 customers will get an email" in page and f'<option value="{segment_id}" selected>Not pro' in page
    assert f"/surveys/{survey.id}/send?segment={segment_id}" in page             # the POST keeps the audience
    assert "3 customers will get an email" in client.get(f"/surveys/{survey.id}/send").get_data(as_text=True)
    assert client.post(f"/surveys/{survey.id}/send?segment={segment_id}").status_code == 302
    assert invited(survey.id) == ["c1@example.com", "c3@example.com"]
    assert client.get(f"/surveys/{survey.id}/send?segment={segment_id + 1}").status_code == 404
    assert client.post(f"/surveys/{survey.id}/send?segment=abc").status_code == 404
    assert invited(survey.id) == ["c1@example.com", "c3@example.com"]
