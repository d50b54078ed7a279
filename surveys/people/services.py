"""Use cases of customers: importing them from a CSV, unsubscribing one. Each public function is one use case
and owns its one commit (an import commits BATCH rows at a time: see import_customers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import insert, select, update

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_, Refusal
from feedback_app.mail.suppression import suppressed_since
from surveys.models import Customer
from surveys.people.importing import CustomerRow

Progress = Callable[[int], None]


def no_progress(_: int) -> None:
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    # (line, reason): a Refusal, whose str() is the English the command line prints and a page translates.
    errors: list[tuple[int, Refusal]] = field(default_factory=list)


# Rows per transaction of a long import or send. SQLite has one writer at a time: a batch holds the lock
# for milliseconds, so survey answers arriving meanwhile wait that long instead of the whole import.
BATCH = 1000


def import_customers(lines: Iterable[CustomerRow | tuple[int, Refusal]], progress: Progress = no_progress
                     ) -> ImportReport:
    """Add new customers and update known ones (matched by e-mail); broken lines go to the report.

    `lines` is what surveys.people.importing reads (a CustomerCSV streamed from the file, or a ParsedCSV):
    rows are taken BATCH at a time, so memory stays flat however long the file. Each batch is
    committed (see BATCH): an import stopped half-way is finished by running it again, since a second
    import of the same rows updates them and never duplicates. `progress` gets the rows of each batch.
    """
    report = ImportReport()
    batch: list[CustomerRow] = []
    for item in lines:
        if not isinstance(item, CustomerRow):
            report.errors.append(tuple(item))
            continue
        batch.append(item)
        if len(batch) == BATCH:
            _import_batch(batch, report, progress)
            batch = []
    if batch:
        _import_batch(batch, report, progress)
    report.errors.sort(key=lambda error: error[0])
    return report


# Who must follow a change of known customers' attributes in the same transaction: fn(customer ids).
# The import writes rows in bulk, past the ORM's events; triage's stored fix evidence weighs customers
# by an attribute (`mrr`) and registers here (surveys never imports triage).
ATTRIBUTES_LISTENERS: list[Callable[[list[int]], None]] = []


def _import_batch(rows: list[CustomerRow], report: ImportReport, progress: Progress) -> None:
    """One transaction: the new rows inserted and the known ones updated, each in one statement."""
    emails = [row.email for row in rows]
    known = {c.email: c for c in db.session.execute(
        select(Customer.id, Customer.email, Customer.name, Customer.locale, Customer.attributes,
               Customer.customer_since, Customer.ended_at)
        .where(Customer.email.in_(emails)))}
    erased = suppressed_since(emails)  # erased on request: never stored again unless restored
    new, changed, moved = [], [], []
    for row in rows:
        if row.email in erased:
            report.errors.append((row.line, _erased_message(row.email, erased[row.email])))
        elif (customer := known.get(row.email)) is None:
            new.append({"email": row.email, "name": row.name, "locale": row.locale or "en",
                        "attributes": row.attributes, "customer_since": row.customer_since,
                        "ended_at": row.ended_at})
        else:
            attributes = {**(customer.attributes or {}), **row.attributes}
            # An empty date keeps the one known: a file without the column never clears a customer's lifetime.
            changed.append({"id": customer.id, "name": row.name or customer.name,
                            "locale": row.locale or customer.locale, "attributes": attributes,
                            "customer_since": row.customer_since or customer.customer_since,
                            "ended_at": row.ended_at or customer.ended_at})
            if attributes != (customer.attributes or {}):
                moved.append(customer.id)
    # Bulk statements, not ORM objects: nothing of the batch stays in the session after the commit.
    if new:
        db.session.execute(insert(Customer), new)
    if changed:
        db.session.execute(update(Customer), changed)
    for listener in ATTRIBUTES_LISTENERS if moved else ():
        listener(moved)
    db.session.commit()
    report.created += len(new)
    report.updated += len(changed)
    progress(len(rows))


def _erased_message(email: str, erased_at: datetime) -> Refusal:
    return Refusal(N_("this address was erased on request on %(day)s; `feedback customers restore %(email)s` "
                      "allows it again"), day=f"{erased_at:%Y-%m-%d}", email=email)


def unsubscribe(customer_id: int, now: datetime) -> Customer | None:
    customer = db.session.get(Customer, customer_id)
    if customer is not None and customer.unsubscribed_at is None:
        customer.unsubscribed_at = now
        db.session.commit()
    return customer
