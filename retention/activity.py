"""Use cases of activity: a file's rows imported batch by batch (`feedback activity import`), a client's items
recorded in one commit (`POST /api/v1/activity`).

Activity is kept for known customers only. A row whose address no customer has is refused with its line, not
made into a customer: activity feeds carry test accounts, colleagues and typos, and a customer made from one would
be sent surveys and counted as a new customer in every retention figure. Import the customers first (`feedback
customers import`, with their customer_since); importing the activity file again then adds exactly the rows
refused before, since rows already stored are skipped. An address erased on request is refused as such.

A row is never stored twice: see retention.models.Activity (its external id and its digest are unique keys,
and `INSERT … ON CONFLICT DO NOTHING` lets the database, not a read-then-write, decide).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import any_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import ARRAY

from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_rows_ignoring_conflicts, slices
from feedback_app.mail.suppression import suppressed_since
from retention.activity_csv import ActivityRow, activity_key
from retention.models import Activity
from surveys.models import Customer

Progress = Callable[[int], None]

# Rows per transaction of an import: one lookup of the batch's customers, one INSERT of its rows (multi-row
# statements on SQLite, one statement of arrays on PostgreSQL: see _insert), one commit. SQLite has one writer: a batch holds it for tens of milliseconds.
BATCH = 5000
# A file's errors listed one by one, at most: a million rows for an address nobody imported would otherwise
# hold a million messages. Past it they are counted (ActivityReport.rejected), not listed.
ERRORS_LISTED = 10_000
# A batch's addresses are looked up with IN lists of a multiple of this many: the statement's text, and so the
# statement SQLite prepares and its driver caches by text (128 of them), is one of a few instead of a new one per
# batch. Measured on a million rows: unpadded, the cache of prepared IN lists of thousands of addresses grew the
# import by 25 MB; padded, memory stays flat.
IN_LIST_STEP = 500
# Items of one API request, at most (a client sends more in several requests).
API_BATCH_MAX = 1000


def no_progress(_: int) -> None:
    pass


@dataclass
class ActivityReport:
    added: int = 0
    already_there: int = 0  # stored before (this file imported again, the same row twice, an id sent before)
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), the first ERRORS_LISTED by line

    def refuse(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < ERRORS_LISTED:
            self.errors.append((line, reason))


def import_activity(rows: Iterable[ActivityRow | tuple[int, str]], now: datetime,
                    progress: Progress = no_progress) -> ActivityReport:
    """Store a file's activity: rows taken BATCH at a time from `rows` (an ActivityCSV streamed from the file,
    or any ActivityRow and (line, reason) items), each batch in one transaction. An import stopped half-way is
    finished by running it again. `progress` gets the rows of each batch. Rows of unknown customers, and rows
    after `now`, are refused on their line."""
    report, batch = ActivityReport(), []
    for item in rows:
        if not isinstance(item, ActivityRow):
            report.refuse(*item)
            continue
        batch.append(item)
        if len(batch) == BATCH:
            _import_batch(batch, now, report)
            progress(len(batch))
            batch = []
    if batch:
        _import_batch(batch, now, report)
        progress(len(batch))
    report.errors.sort(key=lambda error: error[0])
    return report


def _import_batch(rows: list[ActivityRow], now: datetime, report: ActivityReport) -> None:
    values, refused = _checked(rows, now)
    for line, _, reason in refused:
        report.refuse(line, reason)
    added = len(_insert(values))
    db.session.commit()
    report.added += added
    report.already_there += len(values) - added


def _checked(rows: list[ActivityRow], now: datetime) -> tuple[list[dict], list[tuple[int, str, str]]]:
    """The rows as the table's values, and the refused ones as (line, field, reason): one query for the
    batch's customers, one more for the addresses among them that no customer has."""
    customers = _customer_ids({row.email for row in rows})
    unknown = {row.email for row in rows if row.email not in customers}
    erased = suppressed_since(unknown) if unknown else {}
    values, refused = [], []
    for row in rows:
        customer_id = customers.get(row.email)
        if customer_id is None:
            refused.append((row.line, "email", _no_customer(row.email, erased.get(row.email))))
        elif row.occurred_at > now:
            refused.append((row.line, "occurred_at",
                            f"occurred_at {row.occurred_at:%Y-%m-%d %H:%M:%S} UTC is in the future (a time without "
                            "an offset is UTC: add yours, such as +03:30)"))
        else:
            values.append({"customer_id": customer_id, "occurred_at": row.occurred_at, "kind": row.kind,
                           "amount": row.amount, "external_id": row.external_id,
                           "dedupe_key": activity_key(customer_id, row)})
    return values, refused


def _insert(values: list[dict]) -> list[tuple]:
    """The rows stored, skipping those already there; their ids. On PostgreSQL one statement per batch whose
    columns are arrays (`INSERT … SELECT FROM unnest(…)`): psycopg rewrites each statement's placeholders and
    caches that only for short statements, and a multi-row INSERT of 7,000 placeholders cost the import 40 % of its
    time in that rewriting alone (cProfile, 100,000 rows)."""
    if not values or db.session.get_bind().dialect.name != "postgresql":
        return insert_rows_ignoring_conflicts(Activity, values)
    table = Activity.__table__
    columns = list(values[0])
    arrays = [bindparam(f"{name}_array", [value[name] for value in values], type_=ARRAY(table.c[name].type))
              for name in columns]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived(name="given")
    statement = (postgresql.insert(table).from_select(columns, select(*(rows.c[name] for name in columns)))
                 .on_conflict_do_nothing().returning(table.c.id))
    return [tuple(row) for row in db.session.execute(statement)]


def _customer_ids(emails: set[str]) -> dict[str, int]:
    if db.session.get_bind().dialect.name == "postgresql":  # one array parameter: a short statement (see _insert)
        addresses = bindparam("addresses", sorted(emails), type_=ARRAY(Customer.__table__.c.email.type))
        return dict(db.session.execute(select(Customer.email, Customer.id).where(
            Customer.email == any_(addresses))).all())
    found: dict[str, int] = {}
    for some in slices(sorted(emails)):
        found.update(db.session.execute(select(Customer.email, Customer.id).where(
            Customer.email.in_(padded(some, IN_LIST_STEP)))).all())
    return found


def padded(values: list[str], step: int) -> list[str]:
    """`values` with its last one repeated up to a multiple of `step` (an IN list means the same with them)."""
    return values + values[-1:] * (-len(values) % step) if values else values


def _no_customer(email: str, erased_at: datetime | None) -> str:
    if erased_at is not None:
        return (f"{email} was erased on request on {erased_at:%Y-%m-%d}: nothing about it is stored again "
                f"(`feedback customers restore {email}` allows it)")
    return f"no customer has the address {email}: import them first (feedback customers import)"


# ---------------------------------------------------------------- the API

class ActivityRefused(ValueError):
    """Some items cannot be stored (unknown customer, a time in the future): nothing was."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__("; ".join(f"item {index}: {reason}" for index, _, reason in problems))
        self.problems = problems  # (item index, field, reason)


@dataclass(frozen=True)
class StoredActivity:
    id: int
    email: str
    occurred_at: datetime
    kind: str
    amount: float | None
    external_id: str | None
    created: bool  # False: stored before (its external id, or the very same activity, was sent before)


def record_activities(rows: list[ActivityRow], now: datetime) -> list[StoredActivity]:
    """Store a client's items (ActivityRow.line: the item's position), all or none, in one commit; each as
    stored, in the order sent. An item sent before is not stored again: its stored row comes back, created
    False — by its external id when it has one (whatever else it says now), else by what it says."""
    values, refused = _checked(rows, now)
    if refused:
        db.session.rollback()
        raise ActivityRefused(refused)
    inserted = {key for (key,) in insert_rows_ignoring_conflicts(Activity, values)}
    stored = _stored(values)
    db.session.commit()
    answered, found = set(), []
    for value in values:
        row = stored[("id", value["external_id"]) if value["external_id"] else ("key", value["dedupe_key"])]
        found.append(StoredActivity(*row, created=row[0] in inserted and row[0] not in answered))
        answered.add(row[0])
    return found


def _stored(values: list[dict]) -> dict[tuple[str, str], tuple]:
    """The stored rows these values name, by ("id", external id) and ("key", dedupe key)."""
    keys = [v["dedupe_key"] for v in values]
    external_ids = [v["external_id"] for v in values if v["external_id"]]
    rows = db.session.execute(
        select(Activity.id, Customer.email, Activity.occurred_at, Activity.kind, Activity.amount,
               Activity.external_id, Activity.dedupe_key)
        .join(Customer, Customer.id == Activity.customer_id)
        .where(or_(Activity.dedupe_key.in_(keys), Activity.external_id.in_(external_ids)))).all()
    found = {}
    for *row, key in rows:
        found[("key", key)] = tuple(row)
        if row[-1]:
            found[("id", row[-1])] = tuple(row)
    return found
