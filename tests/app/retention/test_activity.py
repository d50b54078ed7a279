"""Importing activity: batch by batch, each row once however often the file comes, every refusal on its line."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from privacy.services import erase_customer
from retention import activity as service
from retention.activity import import_activity
from retention.activity_csv import ActivityCSV, ActivityRow, activity_key
from retention.models import Activity, StageChange
from surveys.models import Customer
from tests.app.feedback_app.test_cli import run
from tests.support.factories import NOW, add_customers

FILE = ("email,occurred_at,kind,amount,external_id\n"
        "ana@example.com,2026-10-01,purchase,49.90,order-1\n"          # 2
        "ANA@example.com,2026-10-01T09:30:00+03:30,Login,,\n"          # 3: 06:00 UTC
        "badr@example.com,2026-10-02,purchase,10,\n"                   # 4
        "nobody@example.com,2026-10-02,login,,\n"                      # 5: no such customer
        "badr@example.com,2026-10-32,login,,\n"                        # 6: no such day
        "badr@example.com,2026-10-03,purchase,10,\n"                   # 7
        "badr@example.com,2026-10-03,purchase,10,\n"                   # 8: line 7 again: one activity
        "badr@example.com,2026-11-23T12:00:01,login,,\n"               # 9: a second after NOW
        "badr@example.com,2026-10-04,cancel,,\n")                      # 10


def count(model=Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        select(Customer.email, Activity.occurred_at, Activity.kind, Activity.amount, Activity.external_id)
        .join(Customer, Customer.id == Activity.customer_id).order_by(Activity.occurred_at, Activity.kind))]


def test_a_file_is_imported_batch_by_batch_with_every_refusal_on_its_line(app, monkeypatch):
    monkeypatch.setattr(service, "BATCH", 3)
    add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"))
    progress = []
    report = import_activity(ActivityCSV(io.BytesIO(FILE.encode())), NOW, progress.append)
    # 9 lines: 1 unreadable (6); of the 8 rows, 2 refused (5, 9), 1 a repeat (8): 5 added
    assert (report.added, report.already_there, report.rejected) == (5, 1, 3)
    assert progress == [3, 3, 2]
    assert [line for line, _ in report.errors] == [5, 6, 9]
    reasons = dict(report.errors)
    assert reasons[5] == ("no customer has the address nobody@example.com: import them first "
                          "(feedback customers import)")
    assert "occurred_at '2026-10-32' is not an ISO date" in reasons[6]
    assert reasons[9].startswith("occurred_at 2026-11-23 12:00:01 UTC is in the future")
    assert stored() == [("ana@example.com", datetime(2026, 10, 1), "purchase", 49.9, "order-1"),
                        ("ana@example.com", datetime(2026, 10, 1, 6), "login", None, None),
                        ("badr@example.com", datetime(2026, 10, 2), "purchase", 10.0, None),
                        ("badr@example.com", datetime(2026, 10, 3), "purchase", 10.0, None),
                        ("badr@example.com", datetime(2026, 10, 4), "cancel", None, None)]
    # A cancel is kept, queryable by kind, and changes nothing on the customer by itself.
    badr = db.session.scalar(select(Customer).where(Customer.email == "badr@example.com"))
    assert db.session.scalars(select(Activity.customer_id).where(Activity.kind == "cancel")).all() == [badr.id]
    assert (badr.ended_at, badr.stage, badr.stage_since, badr.customer_since) == (None, None, None, None)


def test_the_same_file_imported_again_adds_nothing_and_a_changed_file_only_what_is_new(app):
    add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"))
    first = import_activity(ActivityCSV(io.BytesIO(FILE.encode())), NOW)
    assert (first.added, count()) == (5, 5)
    again = import_activity(ActivityCSV(io.BytesIO(FILE.encode())), NOW)
    assert (again.added, again.already_there, again.rejected, count()) == (0, 6, 3, 5)
    # The refused customer imported meanwhile: the same file now adds exactly their row.
    add_customers(("nobody@example.com", None, "en"))
    # order-1 again with another amount: its id was stored, so nothing is (the id is the activity)
    changed = FILE.replace("49.90,order-1", "59.90,order-1") + "badr@example.com,2026-10-05,login,,\n"
    third = import_activity(ActivityCSV(io.BytesIO(changed.encode())), NOW)
    assert (third.added, third.already_there, count()) == (2, 6, 7)
    assert db.session.scalar(select(Activity.amount).where(Activity.external_id == "order-1")) == 49.9


def test_an_erased_address_is_refused_as_such_and_erasure_takes_the_activity_and_stages_with_it(app):
    ana, badr = add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"))
    import_activity(ActivityCSV(io.BytesIO(FILE.encode())), NOW)
    db.session.add(StageChange(customer_id=ana.id, from_stage=None, to_stage="new", changed_at=NOW,
                               reason={"rule": "first activity"}))
    db.session.commit()
    assert (count(), count(StageChange)) == (5, 1)
    erase_customer("ana@example.com", "cli", NOW)
    assert (count(), count(StageChange)) == (3, 0)  # badr's three remain
    report = import_activity(ActivityCSV(io.BytesIO(FILE.encode())), NOW)
    assert report.added == 0 and [line for line, _ in report.errors] == [2, 3, 5, 6, 9]
    assert dict(report.errors)[2] == ("ana@example.com was erased on request on 2026-11-23: nothing about it is "
                                      "stored again (`feedback customers restore ana@example.com` allows it)")


def test_rows_given_directly_and_the_unique_keys_stand_for_themselves(app):
    (ana,) = add_customers(("ana@example.com", "Ana", "en"))
    row = ActivityRow(2, "ana@example.com", datetime(2026, 10, 1), "purchase", Decimal("5"), None)
    report = import_activity([row, (3, "has 2 fields, the header has 3"), row], NOW)
    assert (report.added, report.already_there, report.errors) == (1, 1, [(3, "has 2 fields, the header has 3")])
    key = db.session.scalar(select(Activity.dedupe_key))
    assert key == activity_key(ana.id, row)


def test_only_the_first_errors_are_listed_and_the_rest_counted(app, monkeypatch):
    monkeypatch.setattr(service, "ERRORS_LISTED", 2)
    report = import_activity(ActivityCSV(io.BytesIO(b"email,occurred_at,kind\n" + b"x@example.com,2026-01-01,a\n" * 5)),
                             NOW)
    assert report.rejected == 5 and [line for line, _ in report.errors] == [2, 3]


# ---------------------------------------------------------------- the command

CLI_FILE = ("email,occurred_at,kind,amount,plan\n"
            "ana@example.com,2024-05-01,purchase,12.5,pro\n"
            "ana@example.com,2024-05-02,login,,pro\n"
            "nobody@example.com,2024-05-02,login,,pro\n"
            "ana@example.com,2024-05-03,purchase,twelve,pro\n")


def test_the_command_imports_a_file_lists_broken_rows_and_adds_nothing_the_second_time(app, tmp_path):
    add_customers(("ana@example.com", "Ana", "en"))
    path = tmp_path / "activity.csv"
    path.write_text(CLI_FILE, encoding="utf-8")
    result = run(app, "activity", "import", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "Ignored columns: plan." in lines and "Importing activity" in result.output
    assert lines[-3:] == ["line 4: no customer has the address nobody@example.com: import them first "
                          "(feedback customers import)",
                          "line 5: amount 'twelve' is not a number (a dot for decimals, no currency sign or thousands "
                          "separator: 1234.50)",
                          "2 added, 0 already there, 2 rows not imported."]
    again = run(app, "activity", "import", str(path))
    assert again.output.strip().splitlines()[-1] == "0 added, 2 already there, 2 rows not imported."
    assert count() == 2


def test_the_command_reads_a_pipe_and_refuses_a_file_that_is_no_activity_csv(app, tmp_path):
    add_customers(("ana@example.com", "Ana", "en"))
    piped = run(app, "activity", "import", "-", input="email,occurred_at,kind\nana@example.com,2024-05-01,login\n")
    assert piped.exit_code == 0 and piped.output.strip().splitlines()[-1] == "1 added, 0 already there, 0 rows not imported."
    path = tmp_path / "customers.csv"
    path.write_text("email,name\nana@example.com,Ana\n", encoding="utf-8")
    refused = run(app, "activity", "import", str(path))
    assert refused.exit_code == 1 and "cannot be imported: the first line must name the columns" in refused.output
    assert "missing: occurred_at, kind" in refused.output and count() == 1


@pytest.mark.parametrize("size", [12_001])
def test_a_long_file_keeps_no_orm_objects_and_commits_per_batch(app, size, monkeypatch):
    """Flat memory: nothing of a batch stays in the session, and each batch is its own transaction."""
    add_customers(*((f"c{n}@example.com", None, "en") for n in range(50)))
    db.session.expunge_all()
    commits = []
    monkeypatch.setattr(db.session, "commit", lambda original=db.session.commit: commits.append(1) or original())
    data = "email,occurred_at,kind\n" + "".join(
        f"c{n % 50}@example.com,2026-{n % 9 + 1:02d}-{n % 28 + 1:02d}T{n % 24:02d}:00:{n % 60:02d},login\n"
        for n in range(size))
    report = import_activity(ActivityCSV(io.BytesIO(data.encode())), NOW)
    assert len(commits) == 3  # 5,000 + 5,000 + 2,001
    assert report.added + report.already_there == size and report.added == count()
    assert not db.session.identity_map


def test_batches_of_different_addresses_look_them_up_with_one_statement_text(app, monkeypatch):
    """The lookup's IN list is padded to a multiple of IN_LIST_STEP: SQLite prepares one statement, not one per batch
    (its driver caches 128 prepared statements by text: a million rows grew the import by 25 MB unpadded).
    PostgreSQL gets the addresses as one array parameter, and the rows as one array per column."""
    from sqlalchemy import event

    monkeypatch.setattr(service, "BATCH", 3)
    monkeypatch.setattr(service, "IN_LIST_STEP", 4)
    add_customers(*((f"c{n}@example.com", None, "en") for n in range(3)))
    # Batches of 3 rows with 3, 2 and 1 distinct addresses: IN lists of 3, 2 and 1, each padded to 4.
    emails = ["c0", "c1", "c2", "c0", "c1", "c1", "c2", "c2", "c2"]
    data = "email,occurred_at,kind\n" + "".join(f"{e}@example.com,2026-10-0{n + 1},login\n"
                                                for n, e in enumerate(emails))
    lookups = []

    inserts = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM customer" in statement and ("customer.email IN" in statement or "customer.email = ANY" in statement):
            lookups.append((statement, len(parameters)))
        if statement.startswith("INSERT INTO activity"):
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        report = import_activity(ActivityCSV(io.BytesIO(data.encode())), NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert report.added == 9 and count() == 9
    assert len(lookups) == 3 and len({statement for statement, _ in lookups}) == 1
    if db.engine.dialect.name == "postgresql":
        assert {size for _, size in lookups} == {1}  # the array
        assert len(inserts) == 3 and all("unnest" in statement for statement in inserts)
    else:
        assert {size for _, size in lookups} == {4}
    assert service.padded(["a", "b", "c"], 2) == ["a", "b", "c", "c"] and service.padded([], 5) == []
    assert service.padded(["a", "b"], 2) == ["a", "b"]


def test_the_readers_limits_are_the_columns_lengths():
    from retention import activity_csv

    columns = Activity.__table__.c
    assert (activity_csv.KIND_MAX, activity_csv.EXTERNAL_ID_MAX) == (columns.kind.type.length,
                                                                     columns.external_id.type.length)
    assert activity_csv.EMAIL_MAX == Customer.__table__.c.email.type.length
    assert activity_csv.AMOUNT_PLACES == Decimal(1).scaleb(-columns.amount.type.scale)
    assert activity_csv.AMOUNT_LIMIT == Decimal(10) ** (columns.amount.type.precision - columns.amount.type.scale)
