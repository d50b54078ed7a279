"""Reading a customer CSV into checked rows and per-line errors.

PURE: standard library and email-validator only; the service decides what to store.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from .kinds import LOCALES

MAX_FIELD = 1000


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
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise NotACustomerCSV("the file is empty") from None
    except csv.Error as error:
        raise NotACustomerCSV(f"the first line is not CSV ({error})") from None
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
        row_or_error = _row(reader.line_num, header, values)
        if isinstance(row_or_error, str):
            parsed.errors.append((reader.line_num, row_or_error))
        elif row_or_error.email in seen:
            parsed.errors.append((reader.line_num, f"{row_or_error.email} is already on line {seen[row_or_error.email]}"))
        else:
            seen[row_or_error.email] = reader.line_num
            parsed.rows.append(row_or_error)
    return parsed


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise NotACustomerCSV("this is a binary file, not a CSV text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotACustomerCSV(f"the file is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from None


def _row(line: int, header: list[str], values: list[str]) -> CustomerRow | str:
    if len(values) != len(header):
        return f"has {len(values)} fields, the header has {len(header)}"
    record = {key: value.strip() for key, value in zip(header, values)}
    too_long = [key for key, value in record.items() if len(value) > MAX_FIELD]
    if too_long:
        return f"'{too_long[0]}' is longer than {MAX_FIELD} characters"
    if not record["email"]:
        return "email is empty"
    try:
        email = validate_email(record["email"], check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        return f"email {record['email']!r} is not valid: {error}"
    locale = record.get("locale", "").lower() or None
    if locale and locale.replace("_", "-").split("-")[0] not in LOCALES:
        return f"locale {record['locale']!r} is not supported (use one of: {', '.join(LOCALES)})"
    attributes = {k: v for k, v in record.items() if k not in ("email", "name", "locale") and v}
    return CustomerRow(line, email, record.get("name") or None,
                       locale.replace("_", "-").split("-")[0] if locale else None, attributes)
