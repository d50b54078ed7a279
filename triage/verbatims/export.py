"""CSV export of the verbatims with score, type, theme and the fixes they support (web and CLI).

One row per verbatim (an answer or channel feedback with a comment), oldest first, with the triage
list's filters plus `since`. The file is UTF-8 with a byte-order mark, so Excel shows Arabic and
Persian as written, and quoted as RFC 4180 says (the csv module: CRLF between rows, fields with a
comma, quote or line break in double quotes). Columns:

    response_id, answered_at (ISO 8601, UTC), channel, survey, customer_email, language (as detected;
    the answer's locale until it is classified), score, kind, verbatim (exactly as typed), type,
    confidence (0–1), needs_review, confirmed (yes/no; empty until classified), theme, fix_ids,
    fix_titles, fix_statuses (one line per fix inside the cell, in the same order in all three:
    titles never contain a line break), contacted_at (when a team member reached out), context (a triggered
    invitation's, e.g. the ticket number; added last so existing readers keep their columns), thanks_answer (the
    answer to the thank-you page's second question, if any; after context for the same reason).

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage
return before one), so such a cell is written with a leading apostrophe, which spreadsheets show as
text. That is the only change ever made to what was stored.

Rows are read in batches and written as they come, so a large export holds one batch in memory, never
the whole table. Each batch is its own short query, keyset-paginated on (answered_at, id) — the next
batch starts after the last row written, read through an index on response.answered_at, never by
OFFSET — and its own read transaction: an export of a million rows takes a minute, and one long read
would keep SQLite's write-ahead log from being checkpointed (and PostgreSQL's vacuum from reclaiming
rows) for all that time. A row answered while the export runs is included if it sorts after the batch
being read.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Callable, Iterable, Iterator

from sqlalchemy import and_, func, or_, select

from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Response, Survey, ThanksAnswer
from surveys.people.respondents import answer_scale, respondent_customer_id
from triage.models import TriageItem
from triage.verbatims.listing import Filters, conditions
from triage.verbatims.supported import SupportedFix, fixes_of

HEADER = ("response_id", "answered_at", "channel", "survey", "customer_email", "language", "score", "kind",
          "verbatim", "type", "confidence", "needs_review", "confirmed", "theme", "fix_ids", "fix_titles",
          "fix_statuses", "contacted_at", "context", "thanks_answer")
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


class ExportError(ValueError):
    """A filter that cannot be used; the message says how to write it."""


EARLIEST_DAY = datetime(1970, 1, 1)  # as the API's times: no feedback is older


def parse_day(raw: str) -> datetime:
    """`since` as the web and the CLI take it: a day, YYYY-MM-DD, meaning from its midnight (UTC)."""
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m-%d")
    except ValueError:
        raise ExportError(f"'since' is a day written YYYY-MM-DD, such as 2026-01-31 (got {raw[:40]!r}).")
    if day < EARLIEST_DAY:
        raise ExportError(f"'since' is a day from {EARLIEST_DAY:%Y-%m-%d} on (got {raw[:40]!r}).")
    return day


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (see the module note)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _query(filters: Filters, since: datetime | None):
    """The triage list's conditions (listing.conditions, so a filter means the same in both), with outer
    joins: channel feedback has no survey, a fresh answer no triage record yet."""
    customer_id = respondent_customer_id()
    query = (select(Response.id, Response.answered_at, Response.channel, Survey.name, Customer.email,
                    func.coalesce(TriageItem.language, Response.locale), Response.score,
                    answer_scale(), Response.comment, TriageItem.id,
                    TriageItem.type_key, TriageItem.confidence, TriageItem.needs_review, TriageItem.confirmed,
                    TriageItem.theme, Response.contacted_at, Invitation.context, ThanksAnswer.text)
             .outerjoin(TriageItem, TriageItem.response_id == Response.id)
             .outerjoin(ThanksAnswer, ThanksAnswer.response_id == Response.id)
             .outerjoin(Survey, Survey.id == Response.survey_id)
             .outerjoin(Invitation, Invitation.id == Response.invitation_id)
             .outerjoin(Customer, Customer.id == customer_id)
             .where(Response.comment != ""))
    query = query.where(*conditions(filters, on_answers=True))
    if since is not None:
        query = query.where(Response.answered_at >= since)
    return query


def count_verbatims(filters: Filters, since: datetime | None = None) -> int:
    return db.session.scalar(_query(filters, since).with_only_columns(func.count(Response.id)))


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


def _yes_no(value: bool | None, classified: bool) -> str:
    return ("yes" if value else "no") if classified else ""


def _cells(row, fixes: list[SupportedFix]) -> list[str]:
    (response_id, answered_at, channel, survey, email, language, score, kind, comment, item_id,
     type_key, confidence, needs_review, confirmed, theme, contacted_at, context, thanks_answer) = row
    classified = item_id is not None
    cells = [str(response_id), _iso(answered_at), channel or "", survey or "", email or "", language or "",
             "" if score is None else str(score), kind or "", comment, type_key or "",
             str(confidence) if classified else "", _yes_no(needs_review, classified),
             _yes_no(confirmed, classified), theme or "",
             "\n".join(str(f.id) for f in fixes), "\n".join(f.title for f in fixes), "\n".join(f.status for f in fixes),
             _iso(contacted_at), context or "", thanks_answer or ""]
    return [neutralise(cell) for cell in cells]


def _batches(filters: Filters, since: datetime | None) -> Iterator[list]:
    ordered = _query(filters, since).order_by(Response.answered_at, Response.id).limit(BATCH)
    after = None
    while True:
        query = ordered if after is None else ordered.where(or_(
            Response.answered_at > after[0], and_(Response.answered_at == after[0], Response.id > after[1])))
        rows = db.session.execute(query).all()
        db.session.rollback()  # ends the read transaction (nothing was written): see the module note
        if not rows:
            return
        yield rows
        after = (rows[-1][1], rows[-1][0])  # answered_at, response id


def csv_chunks(filters: Filters, since: datetime | None = None,
               progress: Callable[[int], None] = lambda _: None) -> Iterable[str]:
    """The export as text chunks: the byte-order mark and header first, then one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: RFC 4180 quoting and CRLF line ends

    def drained() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield BOM + drained()
    for rows in _batches(filters, since):
        fixes = fixes_of([row[0] for row in rows])
        writer.writerows(_cells(row, fixes.get(row[0], [])) for row in rows)
        yield drained()
        progress(len(rows))
