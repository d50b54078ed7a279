import json

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_init_db_can_run_twice(app):
    assert run(app, "init-db").exit_code == 0
    result = run(app, "init-db")
    assert result.exit_code == 0 and "up to date" in result.output


def test_init_db_trains_the_first_model_so_no_request_waits_for_it(app):
    from triage.classification.learning import active_model
    from triage.models import ModelVersion

    assert active_model() is None
    first = run(app, "init-db")
    assert first.exit_code == 0 and "Training the first classifier model" in first.output
    assert active_model() is not None and "model is ready" in first.output
    again = run(app, "init-db")
    assert "Training" not in again.output and db.session.scalar(select(func.count(ModelVersion.id))) == 1


def test_users_create_reads_the_password_from_stdin(app):
    result = run(app, "users", "create", "Lead@Example.com", "--role", "triager", input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role) == ("lead@example.com", "triager") and user.check_password("a-long-password")
    again = run(app, "users", "create", "lead@example.com", "--role", "admin", input="another-password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = run(app, "users", "create", "x@example.com", "--role", "viewer", input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output


def test_customer_import_reports_bad_lines_and_updates_on_reimport(app, tmp_path):
    csv = tmp_path / "customers.csv"
    csv.write_text("email,name,locale,plan,mrr\nana@example.com,Ana,en,team,49\nbroken,Bob,en,free,0\n"
                   "sara@example.com,سارة,ar,business,299\n", encoding="utf-8")
    result = run(app, "customers", "import", str(csv))
    assert result.exit_code == 0
    assert "line 3:" in result.output and result.output.strip().splitlines()[-1] == "2 added, 0 updated, 1 row not imported."
    csv.write_text("email,plan\nANA@example.com,business\n", encoding="utf-8")
    assert run(app, "customers", "import", str(csv)).output.strip().endswith("0 added, 1 updated, 0 rows not imported.")
    assert db.session.scalar(select(func.count(Customer.id))) == 2
    ana = db.session.scalar(select(Customer).where(Customer.email == "ana@example.com"))
    assert ana.attributes == {"plan": "business", "mrr": "49"} and ana.name == "Ana"


def test_customer_import_refuses_a_file_that_is_not_utf8_csv(app, tmp_path):
    bad = tmp_path / "customers.csv"
    bad.write_bytes("email,name\nana@example.com,Jos\xe9\n".encode("latin-1"))
    result = run(app, "customers", "import", str(bad))
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert db.session.scalar(select(func.count(Customer.id))) == 0


def test_create_send_deliver_and_read_results(app, tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("email,locale\na@example.com,en\nb@example.com,fa\n", encoding="utf-8")
    run(app, "customers", "import", str(csv))
    created = run(app, "surveys", "create", "--kind", "nps", "--name", "Q4", "--product", "Acme")
    survey_id = created.output.strip().splitlines()[-1]
    assert created.exit_code == 0 and survey_id.isdigit()
    sent = run(app, "surveys", "send", survey_id)
    assert sent.output.strip().splitlines()[-1] == "Queued 2 invitations."
    assert run(app, "surveys", "send", survey_id).output.strip().splitlines()[-1] == "Queued 0 invitations."
    delivered = run(app, "mail", "deliver")
    assert delivered.output.strip().splitlines()[-1] == "2 sent, 0 to retry later, 0 failed."
    assert db.session.scalar(select(func.count()).where(OutboxEmail.status == "sent")) == 2
    data = json.loads(run(app, "surveys", "results", survey_id, "--json").output)
    assert {k: data[k] for k in ("kind", "invited", "delivered", "responses", "score", "margin_of_error")} == {
        "kind": "nps", "invited": 2, "delivered": 2, "responses": 0, "score": None, "margin_of_error": None}
    text = run(app, "surveys", "results", survey_id).output
    assert "no answers yet" in text and "invited 2, delivered 2, answered 0" in text


def test_unknown_survey_is_a_clear_error(app):
    result = run(app, "surveys", "send", "999")
    assert result.exit_code != 0 and "there is no survey 999" in result.output


def test_demo_loads_once(app):
    first = run(app, "demo")
    assert "Demo data loaded" in first.output
    assert "already has surveys" in run(app, "demo").output


def test_a_bad_setting_stops_start_up_naming_it(tmp_path):
    import os
    import subprocess
    import sys
    env = {**os.environ, "FEEDBACK_SMTP_PORT": "twenty-five", "FEEDBACK_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-m", "feedback_app.cli", "init-db"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "Configuration error: FEEDBACK_SMTP_PORT must be a whole number" in result.stderr


@pytest.mark.parametrize("args", [("surveys", "send", "{}"), ("surveys", "results", "{}"), ("tokens", "revoke", "{}"),
                                  ("triage", "export", "--survey", "{}")])
def test_an_id_larger_than_the_database_holds_is_a_usage_error(app, args):
    for value in ("2147483648", "99999999999999999999", "0"):
        result = run(app, *[a.format(value) for a in args])
        assert result.exit_code == 2 and "range" in result.output, result.output
