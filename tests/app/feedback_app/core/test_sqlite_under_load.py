"""SQLite has one writer at a time. A big customer import during a burst of survey answers must make
the answers wait their turn (milliseconds), never fail with "database is locked"."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from surveys.models import Customer, Response
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers
from tests.support.factories import sent_survey, survey_path

IMPORTED = 20_000
POSTERS = 4


@pytest.fixture
def app(sqlite_file_app):
    return sqlite_file_app


def test_survey_answers_never_fail_while_an_import_writes(app):
    people = tuple((f"r{n}@example.com", None, "en") for n in range(40))
    _, invitations = sent_survey(app, customers=people)
    paths = [survey_path(app, invitation) for invitation in invitations]
    rows = [CustomerRow(n + 2, f"bulk{n}@example.com", "Bulk", "en", {"plan": "pro"}) for n in range(IMPORTED)]
    importing, done, codes = threading.Event(), threading.Event(), []

    def run_import():
        with app.app_context():
            import_customers(ParsedCSV(rows=rows), lambda _: importing.set())
            db.session.remove()
        done.set()

    def answer_until_the_import_ends(offset: int):
        client = app.test_client()
        importing.wait(timeout=60)
        turn = offset
        while not done.is_set() or turn < offset + len(paths):
            reply = client.post(paths[turn % len(paths)], data={"score": str(turn % 11), "comment": "ok"})
            codes.append(reply.status_code)
            turn += 1

    threads = [threading.Thread(target=run_import)] + [
        threading.Thread(target=answer_until_the_import_ends, args=(n * 10,)) for n in range(POSTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert done.is_set()
    assert len(codes) >= POSTERS * len(paths)  # answers kept arriving during the whole import
    assert set(codes) == {303}, {code: codes.count(code) for code in set(codes)}
    db.session.remove()
    assert db.session.scalar(select(func.count(Customer.id))) == IMPORTED + len(people)
    assert db.session.scalar(select(func.count(Response.id))) == len(paths)  # one per invitation, however often
