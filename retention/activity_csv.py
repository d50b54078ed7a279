"""Reading an activity CSV (`email,occurred_at,kind[,amount][,external_id]`) line by line into checked rows and
per-line errors, and what makes two activities the same one.

PURE: standard library, email-validator and the shared CSV reading (feedback_app.core.csv_text); the service
(retention.activity) finds the customers and stores the rows.

The first line names the columns, in any order and any case; `email`, `occurred_at` and `kind` are required,
`amount` and `external_id` optional, and any other column is ignored (named once in `ignored_columns`, so the
command can say so: a file exported from a billing system carries many). Every row that comes out fits its
columns; a line that does not is reported with its number and the rest is read on. Nothing is held but one line,
so a file of millions of rows is read in flat memory (the service keeps one batch).

Values, the same for the API (retention.activity reads its items with the same functions):
- occurred_at: an ISO 8601 date (its midnight) or date and time; without an offset it is UTC, with one it is
  converted to UTC (times are stored as naive UTC everywhere);
- kind: free text, trimmed, lower-cased, inner spaces made single: "Purchase " and "purchase" are one kind;
- amount: a decimal number with a dot (no currency sign, no thousands separator), negative for a refund,
  rounded to 4 decimal places; empty: none;
- external_id: the other system's id for the activity (an order number); empty: none.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import BinaryIO, Iterator

from email_validator import EmailNotValidError, validate_email

from feedback_app.core.csv_text import CSVLines, LineError, UnreadableCSV, read_utc

REQUIRED = ("email", "occurred_at", "kind")
OPTIONAL = ("amount", "external_id")
EMAIL_MAX = 320         # Customer.email
KIND_MAX = 40           # Activity.kind
EXTERNAL_ID_MAX = 200   # Activity.external_id
AMOUNT_PLACES = Decimal("0.0001")   # Activity.amount: Numeric(18, 4)
AMOUNT_LIMIT = Decimal(10) ** 14    # … so under 10^14 either way
# An address already as the customer import stores it (ASCII, lower-case, a plain dot-atom): compared as it is.
# Anything else is normalised as the customer import normalises it (email-validator, ~25 µs): a million rows
# would spend half a minute there. A malformed address taken this way finds no customer and is refused as such.
_PLAIN_ADDRESS = re.compile(r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9.-]+")
_SPACES = re.compile(r"\s+")


class NotAnActivityCSV(ValueError):
    """The file as a whole cannot be read (not UTF-8, not CSV, a required column missing)."""


@dataclass(frozen=True, slots=True)
class ActivityRow:
    line: int                  # in the file; for the API, the item's position in its batch
    email: str                 # normalised as the customer import stores addresses
    occurred_at: datetime      # naive UTC
    kind: str                  # lower-cased, trimmed
    amount: Decimal | None     # rounded to 4 places
    external_id: str | None


class ActivityCSV:
    """An open activity CSV, read one line at a time. Opening it checks the start of the file and the header,
    so a file that cannot be an activity CSV is refused (NotAnActivityCSV) before anything is stored. Iterating
    it yields, in file order, an ActivityRow for every good line and a LineError for every broken one."""

    def __init__(self, stream: BinaryIO):
        try:
            self._lines = CSVLines(stream)
        except UnreadableCSV as error:
            raise NotAnActivityCSV(str(error)) from None
        self.header = self._lines.header
        missing = [name for name in REQUIRED if name not in self.header]
        if missing:
            raise NotAnActivityCSV(f"the first line must name the columns {', '.join(REQUIRED)} (and may name "
                                   f"{' and '.join(OPTIONAL)}); missing: {', '.join(missing)} "
                                   f"(found: {', '.join(self.header[:8]) or 'nothing'})")
        self.ignored_columns = [name for name in self.header if name not in REQUIRED + OPTIONAL]

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has come (it reads ahead by a few KB): for a progress bar."""
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[ActivityRow | LineError]:
        header = self.header
        for item in self._lines:
            if isinstance(item, LineError):
                yield item
                continue
            line, values = item
            if len(values) != len(header):
                yield LineError(line, f"has {len(values)} fields, the header has {len(header)}")
                continue
            record = dict(zip(header, values))
            try:
                yield read_activity(line, record["email"], record["occurred_at"], record["kind"],
                                    record.get("amount"), record.get("external_id"))
            except ValueError as error:
                yield LineError(line, str(error))


def parse_activity_csv(data: bytes) -> tuple[list[ActivityRow], list[LineError]]:
    """A whole file in memory (tests, small inputs), read as ActivityCSV reads a stream."""
    rows, errors = [], []
    for item in ActivityCSV(io.BytesIO(data)):
        (errors if isinstance(item, LineError) else rows).append(item)
    return rows, errors


def read_activity(line: int, email: str, occurred_at: str, kind: str, amount: str | None = None,
                  external_id: str | None = None) -> ActivityRow:
    """One activity's values as written (a CSV line's, an API item's), checked; ValueError says what is wrong."""
    return ActivityRow(line, read_email(email), _read_time(occurred_at), read_kind(kind), read_amount(amount),
                       read_external_id(external_id))


def read_email(raw: str) -> str:
    address = raw.strip()
    if not address:
        raise ValueError("email is empty")
    if len(address) > EMAIL_MAX:
        raise ValueError(f"email is longer than {EMAIL_MAX} characters")
    lowered = address.lower()
    if lowered.isascii() and _PLAIN_ADDRESS.fullmatch(lowered):
        return lowered
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(f"email {address!r} is not valid: {error}") from None


def _read_time(raw: str) -> datetime:
    if not raw.strip():
        raise ValueError("occurred_at is empty")
    try:
        return read_utc(raw)
    except ValueError as error:
        raise ValueError(f"occurred_at {error}") from None


def read_kind(raw: str) -> str:
    kind = _SPACES.sub(" ", raw.strip()).lower()
    if not kind:
        raise ValueError("kind is empty (it says what the customer did: purchase, login, renewal, cancel…)")
    if len(kind) > KIND_MAX:
        raise ValueError(f"kind is longer than {KIND_MAX} characters")
    return kind


def read_amount(raw: str | None) -> Decimal | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(f"amount {text!r} is not a number (a dot for decimals, no currency sign or thousands "
                         "separator: 1234.50)")
    amount = amount.quantize(AMOUNT_PLACES, rounding=ROUND_HALF_EVEN) if abs(amount) < AMOUNT_LIMIT else amount
    if abs(amount) >= AMOUNT_LIMIT:
        raise ValueError(f"amount {text} is too large (at most 14 digits before the decimal point)")
    return amount


def read_external_id(raw: str | None) -> str | None:
    external_id = (raw or "").strip()
    if len(external_id) > EXTERNAL_ID_MAX:
        raise ValueError(f"external_id is longer than {EXTERNAL_ID_MAX} characters")
    return external_id or None


def activity_key(customer_id: int, row: ActivityRow) -> str:
    """What makes two activities the same one, in 32 characters: its second (YYYYmmddHHMMSS), then 18 hex digits
    (72 bits) of a SHA-256 of its customer, time, kind, amount and external id. The same line imported again, or
    sent again, gets the same key, and the table's unique key stores it once. The amount counts by value (12.5
    and 12.50 are one amount).

    The time comes first so that a file in time order — most exports are — writes the key's index near its end
    instead of all over it (measured: a fifth less time per import); two different activities of the same
    second would share a key only with a chance of about one in 10^21."""
    amount = "" if row.amount is None else "0" if row.amount == 0 else format(row.amount.normalize(), "f")
    text = "\x1f".join((str(customer_id), row.occurred_at.isoformat(), row.kind, amount, row.external_id or ""))
    return f"{row.occurred_at:%Y%m%d%H%M%S}" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:18]
