"""Reading a customer CSV, line by line, into checked rows and per-line errors.

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
from itertools import chain
from typing import BinaryIO, Iterator, NamedTuple

from email_validator import EmailNotValidError, validate_email

from feedback_app.core.languages import LOCALES

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


class LineError(NamedTuple):
    """A line that is not imported, and why (a tuple: (line number, reason))."""
    line: int
    reason: str


@dataclass
class ParsedCSV:
    """A whole file's rows and errors in memory: for small inputs (the demo, tests, the web form's
    results); long files are read with CustomerCSV instead."""
    rows: list[CustomerRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    def __iter__(self) -> Iterator[CustomerRow | tuple[int, str]]:
        return chain(self.rows, self.errors)


class CustomerCSV:
    """An open customer CSV, read one line at a time: what an import holds in memory is one line and
    the addresses seen so far (for the duplicate check: a dict of address -> line, some 200 bytes a
    row, ~40 MB for 200,000 customers), never the file.

    Opening it reads and checks the start of the file and the header, so a file that cannot be a
    customer CSV at all is refused (NotACustomerCSV) before anything is stored. Iterating it yields,
    in file order, a CustomerRow for every good line and a LineError for every broken one.
    """

    def __init__(self, stream: BinaryIO):
        sample = _read_up_to(stream, SNIFF + 1)
        _check_start(sample[:SNIFF], whole=len(sample) <= SNIFF)
        self._source = _Replayed(sample, stream)
        # newline="": the csv module sees line ends as written (quoted fields may hold line breaks).
        text = io.TextIOWrapper(io.BufferedReader(self._source), encoding="utf-8-sig", errors="surrogateescape",
                                newline="")
        self._reader = csv.reader(text, strict=True)
        self.header = _header(self._reader)

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has come (it reads ahead by a few KB): for a progress bar."""
        return self._source.position

    def __iter__(self) -> Iterator[CustomerRow | LineError]:
        reader, header, seen = self._reader, self.header, {}
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield LineError(reader.line_num, f"not valid CSV: {error}")
                continue
            if not any(v.strip() for v in values):
                continue
            row_or_error = _unstorable(values) or _row(reader.line_num, header, values)
            if isinstance(row_or_error, str):
                yield LineError(reader.line_num, row_or_error)
            elif row_or_error.email in seen:
                yield LineError(reader.line_num, f"{row_or_error.email} is already on line {seen[row_or_error.email]}")
            else:
                seen[row_or_error.email] = reader.line_num
                yield row_or_error


def parse_customer_csv(data: bytes) -> ParsedCSV:
    """A whole file in memory, read as CustomerCSV reads a stream."""
    parsed = ParsedCSV()
    for item in CustomerCSV(io.BytesIO(data)):
        (parsed.errors if isinstance(item, LineError) else parsed.rows).append(item)
    return parsed


def _header(reader) -> list[str]:
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
    return header


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """`size` bytes, or fewer at the end of the file (a pipe may hand them over in pieces)."""
    parts, wanted = [], size
    while wanted > 0:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _check_start(sample: bytes, whole: bool) -> None:
    """What the file's first 4 KB look like decides whether it is CSV text at all; further down, a NUL
    or bytes that are not UTF-8 are one broken line (kept as lone surrogates by surrogateescape, found
    by UNSTORABLE and reported per line)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NotACustomerCSV("the file is UTF-16 text; save it as 'CSV UTF-8'")
    if b"\x00" in sample:
        raise NotACustomerCSV("this is a binary file, not a CSV text file")
    try:  # incrementally: the sample may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
    except UnicodeDecodeError as error:
        raise NotACustomerCSV(f"the file is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from None


class _Replayed(io.RawIOBase):
    """The file from its first byte again (the sample already read, then the rest of the stream), counting
    the bytes handed on: a pipe or an upload cannot be rewound."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest, self.position = head, rest, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            data, self._head = self._head[:len(buffer)], self._head[len(buffer):]
        else:
            data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


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
