"""Reading a customer CSV into checked rows and per-line errors.

PURE: standard library and email-validator only; the service decides what to store.

Every row that comes out fits the database as it is: no NUL character (PostgreSQL refuses it in text,
which would fail the whole import), no bytes that are not UTF-8, no value longer than its column
(SQLite would store it over-length, PostgreSQL refuse it). Such a line is reported with its number
and the others are imported. Only a file that cannot be a CSV text at all is refused whole.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from .kinds import LOCALES

MAX_FIELD = 1000   # an attribute value (kept in a JSON column, so the limit is ours)
EMAIL_MAX = 320    # Customer.email
NAME_MAX = 200     # Customer.name
SNIFF = 4096       # bytes looked at to tell a binary file from a text one
# Bytes that are not UTF-8 are decoded as lone surrogates (surrogateescape) so that they can be found
# and reported per line; a NUL is kept as it is for the same reason.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class NotACustomerCSV(ValueError):
    """The file as a whole cannot be read (not UTF-8, not CSV, no email column)."""


@dataclass(frozen=True)
class CustomerRow:
    line: int
    email: str
    name: str | None
    locale: str | None  # None: keep what we have (or English for a new customer)
    attributes: dict[str, str]


@dataclass
class ParsedCSV:
    rows: list[CustomerRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def parse_customer_csv(data: bytes) -> ParsedCSV:
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise NotACustomerCSV("the file is empty") from None
    except csv.Error as error:
        raise NotACustomerCSV(f"the first line is not CSV ({error})") from None
    _check_header_text(header)
    if "email" not in header:
        raise NotACustomerCSV("the first line must name the columns and include 'email' "
                              f"(found: {', '.join(header[:8]) or 'nothing'})")
    if len(set(header)) != len(header):
        raise NotACustomerCSV("two columns have the same name in the first line")
    parsed, seen = ParsedCSV(), {}
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            parsed.errors.append((reader.line_num, f"not valid CSV: {error}"))
            continue
        if not any(v.strip() for v in values):
            continue
        row_or_error = _unstorable(values) or _row(reader.line_num, header, values)
        if isinstance(row_or_error, str):
            parsed.errors.append((reader.line_num, row_or_error))
        elif row_or_error.email in seen:
            parsed.errors.append((reader.line_num, f"{row_or_error.email} is already on line {seen[row_or_error.email]}"))
        else:
            seen[row_or_error.email] = reader.line_num
            parsed.rows.append(row_or_error)
    return parsed


def _decode(data: bytes) -> str:
    """The file as text. What its first 4 KB look like decides whether it is CSV text at all; further
    down, a NUL or bytes that are not UTF-8 are one broken line (kept as lone surrogates by
    surrogateescape, found by UNSTORABLE and reported per line)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NotACustomerCSV("the file is UTF-16 text; save it as 'CSV UTF-8'")
    sample = data[:SNIFF]
    if b"\x00" in sample:
        raise NotACustomerCSV("this is a binary file, not a CSV text file")
    try:  # incrementally: the sample may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(data) <= SNIFF)
    except UnicodeDecodeError as error:
        raise NotACustomerCSV(f"the file is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from None
    return data.decode("utf-8-sig", errors="surrogateescape")


def _check_header_text(header: list[str]) -> None:
    """A first line longer than the sniff may still hide what the file's lines may not."""
    for name in header:
        if UNSTORABLE.search(name):
            raise NotACustomerCSV("the first line " + _unstorable([name]))


def _unstorable(values: list[str]) -> str | None:
    for value in values:
        found = UNSTORABLE.search(value)
        if found:
            return ("contains a NUL character" if found.group() == "\x00" else
                    "is not UTF-8 text (save the file as 'CSV UTF-8')")
    return None


def _row(line: int, header: list[str], values: list[str]) -> CustomerRow | str:
    if len(values) != len(header):
        return f"has {len(values)} fields, the header has {len(header)}"
    record = {key: value.strip() for key, value in zip(header, values)}
    too_long = [key for key, value in record.items() if len(value) > MAX_FIELD]
    if too_long:
        return f"'{too_long[0]}' is longer than {MAX_FIELD} characters"
    if not record["email"]:
        return "email is empty"
    if len(record["email"]) > EMAIL_MAX:
        return f"email is longer than {EMAIL_MAX} characters"
    try:
        email = validate_email(record["email"], check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        return f"email {record['email']!r} is not valid: {error}"
    if len(record.get("name", "")) > NAME_MAX:
        return f"name is longer than {NAME_MAX} characters"
    locale = record.get("locale", "").lower() or None
    if locale and locale.replace("_", "-").split("-")[0] not in LOCALES:
        return f"locale {record['locale']!r} is not supported (use one of: {', '.join(LOCALES)})"
    attributes = {k: v for k, v in record.items() if k not in ("email", "name", "locale") and v}
    return CustomerRow(line, email, record.get("name") or None,
                       locale.replace("_", "-").split("-")[0] if locale else None, attributes)
