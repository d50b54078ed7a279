"""The activity CSV reader: rows checked line by line, the file refused whole only when it cannot be one."""
import io
from datetime import datetime
from decimal import Decimal

import pytest

from feedback_app.core.csv_text import SNIFF, LineError
from retention.activity_csv import (
    EXTERNAL_ID_MAX,
    KIND_MAX,
    ActivityCSV,
    ActivityRow,
    NotAnActivityCSV,
    activity_key,
    parse_activity_csv,
    read_email,
)
from tests.unit.surveys.people.test_importing import Trickle


def test_good_rows_come_out_normalised_in_file_order():
    rows, errors = parse_activity_csv(
        b"Email,OCCURRED_AT,Kind,Amount,External_ID\n"
        b"ANA@Example.com,2026-01-31,Purchase,49.90,order-1\n"
        b"  ana@example.com ,2026-01-31T14:05:00+03:30,  Renewal   Paid ,,\n"
        b"sara@example.com,2026-02-01T10:00:00Z,cancel,-12.5,\n")
    assert errors == []
    assert rows == [
        ActivityRow(2, "ana@example.com", datetime(2026, 1, 31), "purchase", Decimal("49.9000"), "order-1"),
        # 14:05 at +03:30 is 10:35 UTC; inner spaces of a kind made single
        ActivityRow(3, "ana@example.com", datetime(2026, 1, 31, 10, 35), "renewal paid", None, None),
        ActivityRow(4, "sara@example.com", datetime(2026, 2, 1, 10), "cancel", Decimal("-12.5000"), None)]


def test_optional_columns_may_be_missing_and_other_columns_are_ignored_and_named():
    lines = ActivityCSV(io.BytesIO(b"kind,plan,email,occurred_at,note\nlogin,pro,a@example.com,2026-03-01,hi\n"))
    assert lines.ignored_columns == ["plan", "note"]
    assert list(lines) == [ActivityRow(2, "a@example.com", datetime(2026, 3, 1), "login", None, None)]


def test_a_bom_quoted_line_breaks_and_blank_lines():
    data = ('\ufeffemail,occurred_at,kind,external_id\r\n'
            '\r\n'
            'a@example.com,2026-03-01,login,"id with\r\na line break"\r\n'
            'b@example.com,2026-03-02,login,x\r\n').encode()
    rows, errors = parse_activity_csv(data)
    assert errors == [] and [row.line for row in rows] == [4, 5]  # where each record ends, as the csv module counts
    assert rows[0].external_id == "id with\r\na line break"


@pytest.mark.parametrize("line, reason", [
    ("a@example.com,2026-02-30,login,,", "occurred_at '2026-02-30' is not an ISO date or time"),
    ("a@example.com,31/01/2026,login,,", "occurred_at '31/01/2026' is not an ISO date or time"),
    ("a@example.com,1969-12-31T23:59:59,login,,", "is not between 1970-01-01 and 9999-12-31"),
    ("a@example.com,0001-01-01T00:00:00+01:00,login,,", "is not between"),  # a time of year 0 in UTC
    ("a@example.com,,login,,", "occurred_at is empty"),
    ("a@example.com,2026-01-31,,,", "kind is empty"),
    ("a@example.com,2026-01-31," + "k" * (KIND_MAX + 1) + ",,", f"kind is longer than {KIND_MAX}"),
    ("a@example.com,2026-01-31,purchase,12€,", "amount '12€' is not a number"),
    ("a@example.com,2026-01-31,purchase,\"1,234.50\",", "amount '1,234.50' is not a number"),
    ("a@example.com,2026-01-31,purchase,NaN,", "amount 'NaN' is not a number"),
    ("a@example.com,2026-01-31,purchase,-Infinity,", "is not a number"),
    ("a@example.com,2026-01-31,purchase,1e14,", "amount 1e14 is too large"),
    ("a@example.com,2026-01-31,purchase,1e999999,", "is too large"),
    ("a@example.com,2026-01-31,purchase,," + "x" * (EXTERNAL_ID_MAX + 1), f"longer than {EXTERNAL_ID_MAX}"),
    (",2026-01-31,purchase,,", "email is empty"),
    ("not an address,2026-01-31,purchase,,", "email 'not an address' is not valid"),
    ("a@example.com,2026-01-31,purchase", "has 3 fields, the header has 5"),
    ("a@example.com,2026-01-31,purchase,1,x,extra", "has 6 fields, the header has 5"),
])
def test_a_broken_line_is_an_error_of_its_line_and_the_others_are_read(line, reason):
    data = f"email,occurred_at,kind,amount,external_id\n{line}\nok@example.com,2026-01-31,login,,\n"
    rows, errors = parse_activity_csv(data.encode())
    assert [row.email for row in rows] == ["ok@example.com"]
    assert len(errors) == 1 and errors[0].line == 2 and reason in errors[0].reason, errors


def test_amounts_are_kept_to_four_places_and_limits_are_inclusive():
    rows, errors = parse_activity_csv(
        b"email,occurred_at,kind,amount\n"
        b"a@example.com,2026-01-31,x,0.12345\n"          # half-even: 0.1234|5 -> 0.1234
        b"a@example.com,2026-01-31,x,0.12355\n"          # 0.1235|5 -> 0.1236
        b"a@example.com,2026-01-31,x,99999999999999.9999\n"
        b"a@example.com,9999-12-31T23:59:59,x,1_000\n"
        b"a@example.com,1970-01-01,x,-0\n")
    assert errors == []
    assert [row.amount for row in rows] == [Decimal("0.1234"), Decimal("0.1236"), Decimal("99999999999999.9999"),
                                            Decimal("1000.0000"), Decimal("0.0000")]


def test_a_line_that_is_not_utf8_or_has_a_nul_past_the_first_4_kb_is_an_error_of_its_line():
    filler = "".join(f"p{n}@example.com,2026-01-31,login\n" for n in range(200)).encode()
    data = (b"email,occurred_at,kind\n" + filler + "jos\u00e9@example.com,2026-01-31,login\n".encode("latin-1")
            + b"nul@example.com,2026-01-31,log\x00in\n")
    assert len(data) > SNIFF
    rows, errors = parse_activity_csv(data + b"last@example.com,2026-01-31,login\n")
    assert len(rows) == 201 and rows[-1].email == "last@example.com"
    # Refusals (a page could say them in the reader's language); str() is the English the command line prints.
    assert [(line, str(reason)) for line, reason in errors] == [
        (202, "is not UTF-8 text (save the file as 'CSV UTF-8')"), (203, "contains a NUL character")]


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"\n", "missing: email, occurred_at, kind"),
    (b"email,kind\na@example.com,login\n", "missing: occurred_at"),
    (b"email;occurred_at;kind\n", "missing: email, occurred_at, kind"),  # semicolons: one column
    (b"email,occurred_at,kind,Kind\n", "same name"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    ("email,occurred_at,kind\n".encode("utf-16"), "UTF-16"),
    ("email,occurred_at,kind\nj\u00f6rg@example.com,2026-01-31,login\n".encode("latin-1"), "not UTF-8"),
])
def test_a_file_that_cannot_be_an_activity_csv_is_refused_whole(data, message):
    with pytest.raises(NotAnActivityCSV, match=message):
        ActivityCSV(io.BytesIO(data))


def test_a_header_alone_is_an_empty_import():
    assert parse_activity_csv(b"email,occurred_at,kind\n") == ([], [])


@pytest.mark.parametrize("step", [1, 5, 4096])
def test_a_stream_read_in_any_pieces_gives_what_the_whole_file_gives_and_counts_its_bytes(step):
    data = ("email,occurred_at,kind,amount\n" + "".join(
        f"p{n}@example.com,2026-01-{n % 28 + 1:02d}T08:00:00,login,{n}.5\n" for n in range(300)) + "bad,,,\n").encode()
    whole = parse_activity_csv(data)
    lines = ActivityCSV(io.BufferedReader(Trickle(data, step), buffer_size=max(step, 1)))
    items = list(lines)
    assert [i for i in items if isinstance(i, ActivityRow)] == whole[0] and len(whole[0]) == 300
    assert [i for i in items if isinstance(i, LineError)] == whole[1] == [LineError(302, whole[1][0].reason)]
    assert lines.bytes_read == len(data)


def test_rows_come_out_as_the_file_is_read_not_after_it():
    data = ("email,occurred_at,kind\n" + "p@example.com,2026-01-31,login\n" * 50_000).encode()
    source = Trickle(data, step=1 << 16)
    lines = ActivityCSV(source)
    assert next(iter(lines)).line == 2
    assert source.position < 200_000 < len(data)


def test_plain_addresses_are_taken_as_written_and_others_normalised_as_the_customer_import_does():
    assert read_email(" Ana.B+x@Example.COM ") == "ana.b+x@example.com"
    assert read_email("ana@EXAMPLE.CO.UK") == "ana@example.co.uk"
    assert read_email("Zoë@Example.com") == "zoë@example.com"  # not plain ASCII: email-validator's form


def test_the_key_of_an_activity_is_what_it_says_amount_by_value():
    row = ActivityRow(2, "a@example.com", datetime(2026, 1, 31, 10), "purchase", Decimal("12.5000"), None)
    same = ActivityRow(9, "a@example.com", datetime(2026, 1, 31, 10), "purchase", Decimal("12.5"), None)
    assert activity_key(1, row) == activity_key(1, same) and len(activity_key(1, row)) == 32
    assert activity_key(1, row).startswith("20260131100000")  # its second first: a file in time order appends
    others = [activity_key(2, row), activity_key(1, row.__class__(2, row.email, datetime(2026, 1, 31, 10, 0, 1),
                                                                    "purchase", row.amount, None)),
              activity_key(1, ActivityRow(2, row.email, row.occurred_at, "refund", row.amount, None)),
              activity_key(1, ActivityRow(2, row.email, row.occurred_at, "purchase", None, None)),
              activity_key(1, ActivityRow(2, row.email, row.occurred_at, "purchase", row.amount, "order-7"))]
    assert len({activity_key(1, row), *others}) == 6
    zero, minus_zero = (ActivityRow(2, row.email, row.occurred_at, "x", Decimal(v), None) for v in ("0.0000", "-0"))
    assert activity_key(1, zero) == activity_key(1, minus_zero)
