"""A CSV file read as a stream of checked lines, and the ISO times such files carry: what every import shares.

PURE: standard library only. The customer import (surveys.people.importing) and the activity import
(retention.activity_csv) each say what their columns mean; here is what makes any line storable.

A file that cannot be CSV text at all (binary, UTF-16, not UTF-8 in its first 4 KB, no header) is refused
whole when opened, before anything is stored. Further down, a line with a NUL character (PostgreSQL refuses
it in text, which would fail a whole batch) or bytes that are not UTF-8 is an error of that line only, and
the other lines are read on. Memory holds one line and a few KB of read-ahead, never the file.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, datetime
from typing import BinaryIO, Iterator, NamedTuple

from feedback_app.core.refusals import N_, Refusal

SNIFF = 4096  # bytes looked at to tell a binary file from a text one
# Bytes that are not UTF-8 are decoded as lone surrogates (surrogateescape) so that they can be found
# and reported per line; a NUL is kept as it is for the same reason.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnreadableCSV(Refusal):
    """The file as a whole cannot be read as CSV text."""


class LineError(NamedTuple):
    """A line that is not imported, and why (a tuple: (line number, reason)). The reason is a Refusal when a page
    may show it (its str() is the English the command line prints), or a plain English str (imports that only the
    command line and the API report)."""
    line: int
    reason: Refusal | str


class Line(NamedTuple):
    """A record's values and its line number (the csv module's: where it ends, when a quoted value holds
    line breaks)."""
    line: int
    values: list[str]


class CSVLines:
    """An open CSV text, one line at a time. Opening it checks the first 4 KB and reads the header (names
    stripped and lower-cased: columns are named case-insensitively); iterating yields, in file order, a Line
    for every line that is CSV and storable and a LineError for every other; blank lines are skipped."""

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

    def __iter__(self) -> Iterator[Line | LineError]:
        reader = self._reader
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield LineError(reader.line_num, Refusal(N_("not valid CSV"), detail=str(error)))
                continue
            if not any(v.strip() for v in values):
                continue
            problem = unstorable(values)
            yield LineError(reader.line_num, Refusal(problem)) if problem else Line(reader.line_num, values)


def unstorable(values: list[str]) -> str | None:
    """Why these values cannot be stored (a NUL, bytes that are not UTF-8), or None."""
    for value in values:
        found = UNSTORABLE.search(value)
        if found:
            return NUL if found.group() == "\x00" else NOT_UTF8
    return None


NUL = N_("contains a NUL character")
NOT_UTF8 = N_("is not UTF-8 text (save the file as 'CSV UTF-8')")
# The header's own sentences (whole, so that each reads right in every language).
_UNSTORABLE_HEADER = {NUL: N_("the first line contains a NUL character"),
                      NOT_UTF8: N_("the first line is not UTF-8 text (save the file as 'CSV UTF-8')")}


def _header(reader) -> list[str]:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UnreadableCSV(N_("the file is empty")) from None
    except csv.Error as error:
        raise UnreadableCSV(N_("the first line is not CSV (%(reason)s)"), reason=str(error)) from None
    for name in header:  # a first line longer than the sniff may still hide what lines may not hold
        if UNSTORABLE.search(name):
            raise UnreadableCSV(_UNSTORABLE_HEADER[unstorable([name])])
    if len(set(header)) != len(header):
        raise UnreadableCSV(N_("two columns have the same name in the first line"))
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
        raise UnreadableCSV(N_("the file is UTF-16 text; save it as 'CSV UTF-8'"))
    if b"\x00" in sample:
        raise UnreadableCSV(N_("this is a binary file, not a CSV text file"))
    try:  # incrementally: the sample may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
    except UnicodeDecodeError as error:
        raise UnreadableCSV(N_("the file is not UTF-8 text (byte %(byte)d); save it as 'CSV UTF-8'"),
                            byte=error.start) from None


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


# ---------------------------------------------------------------- times

EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(9999, 12, 31, 23, 59, 59)


def read_utc(text: str) -> datetime:
    """An ISO 8601 date or date and time, as naive UTC (how every time is stored). A date is its midnight UTC,
    a time without an offset is UTC, one with an offset is converted. A Refusal (a ValueError) says what is wrong,
    for people."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refusal(N_("%(value)s is not an ISO date or time (such as 2026-01-31, 2026-01-31T14:05:00 or "
                         "2026-01-31T14:05:00+03:30)"), value=repr(text)) from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+01:00 is a time of year 0
            moment = datetime.min
    if not EARLIEST <= moment <= LATEST:
        raise Refusal(N_("%(value)s is not between %(earliest)s and %(latest)s (UTC)"), value=repr(text),
                      earliest=f"{EARLIEST:%Y-%m-%d}", latest=str(LATEST.date()))
    return moment
