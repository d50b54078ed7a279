"""Reading a customer CSV, line by line, into checked rows and per-line errors.

PURE: standard library and email-validator only; the service decides what to store.

Every row that comes out fits the database as it is: no NUL character (PostgreSQL refuses it in text,
which would fail the whole import), no bytes that are not UTF-8, no value longer than its column
(SQLite would store it over-length, PostgreSQL refuse it). Such a line is reported with its number
and the others are imported. Only a file that cannot be a CSV text at all is refused whole.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import BinaryIO, Iterator

from email_validator import EmailNotValidError, validate_email

# SNIFF is read here by the web import's tests, as before the reading moved to core.
from feedback_app.core.csv_text import SNIFF, CSVLines, LineError, UnreadableCSV, read_utc  # noqa: F401
from feedback_app.core.languages import LOCALES
from feedback_app.core.refusals import N_, Refusal

MAX_FIELD = 1000   # an attribute value (kept in a JSON column, so the limit is ours)
EMAIL_MAX = 320    # Customer.email
NAME_MAX = 200     # Customer.name
# Columns kept in the customer's own columns (lifetime: retention reads them), not among the attributes.
DATE_COLUMNS = ("customer_since", "ended_at")
OWN_COLUMNS = ("email", "name", "locale", *DATE_COLUMNS)


class NotACustomerCSV(Refusal):
    """The file as a whole cannot be read (not UTF-8, not CSV, no email column)."""


@dataclass(frozen=True)
class CustomerRow:
    line: int
    email: str
    name: str | None
    locale: str | None  # None: keep what we have (or English for a new customer)
    attributes: dict[str, str]
    # None: keep what we have (nothing for a new customer). Naive UTC.
    customer_since: datetime | None = None
    ended_at: datetime | None = None


@dataclass
class ParsedCSV:
    """A whole file's rows and errors in memory: for small inputs (the demo, tests, the web form's
    results); long files are read with CustomerCSV instead."""
    rows: list[CustomerRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)  # (line number, reason: a Refusal)

    def __iter__(self) -> Iterator[CustomerRow | LineError]:
        return chain(self.rows, self.errors)


class CustomerCSV:
    """An open customer CSV, read one line at a time: what an import holds in memory is one line and
    the addresses seen so far (for the duplicate check: a dict of address -> line, some 200 bytes a
    row, ~40 MB for 200,000 customers), never the file.

    Opening it reads and checks the start of the file and the header, so a file that cannot be a
    customer CSV at all is refused (NotACustomerCSV) before anything is stored. Iterating it yields,
    in file order, a CustomerRow for every good line and a LineError for every broken one, whose reason is a
    Refusal: str() of it is the English the command line prints, and a page says it in the reader's language.
    """

    def __init__(self, stream: BinaryIO):
        try:
            self._lines = CSVLines(stream)
        except UnreadableCSV as error:
            raise NotACustomerCSV(error.message, detail=error.detail, **error.values) from None
        self.header = self._lines.header
        if "email" not in self.header:
            found = ", ".join(self.header[:8])
            raise (NotACustomerCSV(N_("the first line must name the columns and include 'email' (found: %(found)s)"),
                                   found=found) if found else
                   NotACustomerCSV(N_("the first line must name the columns and include 'email' (found: nothing)")))

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has come (it reads ahead by a few KB): for a progress bar."""
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[CustomerRow | LineError]:
        header, seen = self.header, {}
        for item in self._lines:
            if isinstance(item, LineError):
                yield item
                continue
            line, values = item
            row_or_error = _row(line, header, values)
            if isinstance(row_or_error, Refusal):
                yield LineError(line, row_or_error)
            elif row_or_error.email in seen:
                yield LineError(line, Refusal(N_("%(email)s is already on line %(line)d"), email=row_or_error.email,
                                              line=seen[row_or_error.email]))
            else:
                seen[row_or_error.email] = line
                yield row_or_error


def parse_customer_csv(data: bytes) -> ParsedCSV:
    """A whole file in memory, read as CustomerCSV reads a stream."""
    parsed = ParsedCSV()
    for item in CustomerCSV(io.BytesIO(data)):
        (parsed.errors if isinstance(item, LineError) else parsed.rows).append(item)
    return parsed


def _row(line: int, header: list[str], values: list[str]) -> CustomerRow | Refusal:
    """The line's customer, or why it is not imported (values as the file has them; the email validator's own
    English reason is the refusal's detail, which the command line prints and a page leaves out)."""
    if len(values) != len(header):
        return Refusal(N_("has %(fields)d fields, the header has %(columns)d"), fields=len(values),
                       columns=len(header))
    record = {key: value.strip() for key, value in zip(header, values)}
    too_long = [key for key, value in record.items() if len(value) > MAX_FIELD]
    if too_long:
        return Refusal(N_("'%(column)s' is longer than %(limit)d characters"), column=too_long[0], limit=MAX_FIELD)
    if not record["email"]:
        return Refusal(N_("email is empty"))
    if len(record["email"]) > EMAIL_MAX:
        return Refusal(N_("email is longer than %(limit)d characters"), limit=EMAIL_MAX)
    try:
        email = validate_email(record["email"], check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        return Refusal(N_("email %(email)s is not valid"), email=repr(record["email"]), detail=str(error))
    if len(record.get("name", "")) > NAME_MAX:
        return Refusal(N_("name is longer than %(limit)d characters"), limit=NAME_MAX)
    locale = record.get("locale", "").lower() or None
    if locale and locale.replace("_", "-").split("-")[0] not in LOCALES:
        return Refusal(N_("locale %(locale)s is not supported (use one of: %(locales)s)"),
                       locale=repr(record["locale"]), locales=", ".join(LOCALES))
    dates = _dates(record)
    if isinstance(dates, Refusal):
        return dates
    attributes = {k: v for k, v in record.items() if k not in OWN_COLUMNS and v}
    return CustomerRow(line, email, record.get("name") or None,
                       locale.replace("_", "-").split("-")[0] if locale else None, attributes, *dates)


def _dates(record: dict[str, str]) -> tuple[datetime | None, datetime | None] | Refusal:
    """customer_since and ended_at (empty: None, i.e. unchanged), or why they cannot be read."""
    dates = []
    for column in DATE_COLUMNS:
        try:
            dates.append(read_utc(record[column]) if record.get(column) else None)
        except ValueError as error:  # read_utc refuses: said after the column's name
            return Refusal(N_("%(column)s: %(reason)s"), column=column, reason=error)
    since, ended = dates
    if since and ended and ended < since:
        return Refusal(N_("ended_at (%(ended)s) is before customer_since (%(since)s)"),
                       ended=f"{ended:%Y-%m-%d %H:%M}", since=f"{since:%Y-%m-%d %H:%M}")
    return since, ended
